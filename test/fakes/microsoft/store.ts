// The emulator's state: mailboxes, their calendars and events, and the change sequence
// delta tokens are made of. Every write goes through store(), which gives the event a new
// changeKey (so a new @odata.etag) and tells the subscriptions.
import { graphId } from "./http";
import { rand } from "./identity";
import type { Account, Calendar, StoredEvent } from "./types";

export class GraphStore {
  readonly accounts = new Map<string, Account>();
  readonly events = new Map<string, StoredEvent>();
  /** Sequence number of the last change. */
  seq = 0;
  /** Per mailbox: delta rounds started before this sequence number are invalid (410). */
  readonly deltaValidFrom = new Map<string, number>();

  constructor(
    private readonly clock: { now(): number },
    /** Called after every stored change (change notifications). */
    private readonly changed: (e: StoredEvent) => void,
  ) {}

  addAccount(email: string, o: { work?: boolean; calendars?: { name: string; canEdit?: boolean }[] } = {}) {
    const work = o.work ?? true;
    const id = work ? crypto.randomUUID() : rand(8);
    const calendars = new Map<string, Calendar>();
    const def = { id: graphId(), name: "Calendar", isDefault: true, canEdit: true, account: email };
    calendars.set(def.id, def);
    for (const c of o.calendars ?? []) {
      const cal = { id: graphId(), name: c.name, isDefault: false, canEdit: c.canEdit ?? true, account: email };
      calendars.set(cal.id, cal);
    }
    this.accounts.set(email, { email, id, work, calendars });
  }
  acct(email: string) {
    const a = this.accounts.get(email);
    if (!a) throw new Error(`emulator: no account ${email}`);
    return a;
  }
  defaultCalendar(email: string) {
    return [...this.acct(email).calendars.values()].find((c) => c.isDefault)!;
  }
  calendarNamed(email: string, name: string) {
    return [...this.acct(email).calendars.values()].find((c) => c.name === name)!;
  }
  eventsOf(email: string, calendarId: string) {
    return [...this.events.values()].filter((e) => e.account === email && e.calendarId === calendarId && !e.deleted);
  }
  event(id: string) {
    const e = this.events.get(id);
    return e && !e.deleted ? e : undefined;
  }

  newEvent(account: string, calendarId: string, startMs: number, endMs: number, allDay: StoredEvent["allDay"], data: Record<string, any>): StoredEvent {
    return { id: graphId(), calendarId, account, changeKey: "", lastModified: 0, seq: 0, deleted: false, data: { ...data, __immutable: true }, startMs, endMs, allDay, props: new Map(), transactionId: null };
  }

  store(e: StoredEvent): StoredEvent {
    e.seq = ++this.seq;
    e.lastModified = this.clock.now();
    e.changeKey = rand(8);
    this.events.set(e.id, e);
    this.changed(e);
    return e;
  }
}
