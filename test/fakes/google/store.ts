// The emulator's state: accounts, their calendars and events, and the change sequence
// that sync tokens and page snapshots are made of. Every write goes through store(), which
// stamps etag/updated and tells the push channels (our own API writes notify like the
// user's edits do: echoes).
import { rand } from "./http";
import type { Account, Calendar } from "./types";

export class CalendarStore {
  readonly accounts = new Map<string, Account>();
  /** Sequence number of the last change. */
  seq = 0;

  constructor(
    private readonly clock: { now(): number },
    /** Called after every change of a calendar (push notifications). */
    private readonly changed: (cal: Calendar) => void,
  ) {}

  addAccount(email: string, extraCalendars: { id: string; summary: string; accessRole?: "owner" | "writer" | "reader" }[] = []) {
    const calendars = new Map<string, Calendar>();
    const mk = (id: string, summary: string, primary: boolean, accessRole: Calendar["accessRole"]) =>
      calendars.set(id, { id, summary, primary, accessRole, timeZone: "Europe/Berlin", events: new Map(), tokensValidFrom: 0 });
    mk(email, email, true, "owner");
    for (const c of extraCalendars) mk(c.id, c.summary, false, c.accessRole ?? "owner");
    this.accounts.set(email, { email, calendars });
  }

  cal(email: string, calendarId: string) {
    const c = this.accounts.get(email)?.calendars.get(calendarId);
    if (!c) throw new Error(`emulator: no calendar ${calendarId} for ${email}`);
    return c;
  }

  store(cal: Calendar, data: Record<string, any>): Record<string, any> {
    const seq = ++this.seq;
    const t = new Date(this.clock.now()).toISOString();
    const prev = cal.events.get(data.id);
    const ev = { ...data, kind: "calendar#event", etag: `"${seq}${rand(4)}"`, updated: t, created: prev?.data.created ?? t };
    cal.events.set(data.id, { data: ev, seq });
    this.changed(cal);
    return ev;
  }

  insertEvent(cal: Calendar, ev: Record<string, any>) {
    const id = ev.id ?? rand(13).slice(0, 26);
    return this.store(cal, {
      status: "confirmed",
      transparency: "opaque",
      creator: { email: [...this.accounts.values()].find((a) => a.calendars.has(cal.id))?.email, self: true },
      ...ev,
      id,
    });
  }

  /** Deleting a series deletes its exceptions too; deleting an instance stores a cancelled exception. */
  cancel(cal: Calendar, data: Record<string, any>) {
    this.store(cal, { ...data, status: "cancelled" });
    if (data.recurrence)
      for (const ev of [...cal.events.values()])
        if (ev.data.recurringEventId === data.id && ev.data.status !== "cancelled") this.store(cal, { ...ev.data, status: "cancelled" });
  }
}
