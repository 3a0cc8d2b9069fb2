// The calendar-sync HubWork: what a doctor's DoctorHub runs after every change,
// webhook and cron tick. Order: drain the outbox → keep push channels alive →
// pull provider changes → drain again if anything was pulled (it may requeue
// pushes). Returns the earliest time it wants
// to run again (outbox backoff, poll, channel renewal) so the hub sets its alarm.
import type { HubWork } from "../hub/work";
import { ensureChannels } from "./channels";
import { syncInbound } from "./inbound";
import { drainOutbox } from "./outbound";
import { reconcileWithProvider } from "./full-reconcile";
import { closeSessions, openSessions, sessionReads } from "./session";

const earliest = (...xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x != null);
  return v.length ? Math.min(...v) : null;
};

export const calendarSyncWork: HubWork = {
  name: "calendar-sync",
  reads: (ctx, now) => sessionReads(ctx.env, ctx.doctorId, now),
  async run(ctx, read) {
    const { all, live } = await openSessions(ctx, read);
    let next: number | null = null;
    try {
      // After a (re)connect, and daily: our events compared with our appointments, before ACMS
      // writes over anything edited at the provider meanwhile (./full-reconcile.ts).
      let reconciled = false;
      for (const s of live) {
        const last = s.integ.reconciled_at;
        next = earliest(next, await reconcileWithProvider(ctx, s));
        reconciled ||= s.integ.reconciled_at !== last;
      }
      // ACMS changes first: "saved → in Google" is the latency users notice.
      next = earliest(next, await drainOutbox(ctx, all, live));
      let pulled = false;
      for (const s of live) {
        next = earliest(next, await ensureChannels(ctx, s));
        const r = await syncInbound(ctx, s);
        pulled ||= r.pulled;
        next = earliest(next, r.next);
      }
      // Inbound changes may have queued pushes (conflict policy, re-create): send them now.
      // They may also have queued invites, reminders or waitlist offers, whose "what is due"
      // reads ran in the shared batch before this pull: one more run at once (the alarm, ~50 ms)
      // sends them. A pull moves the calendars' poll times, so that run calls no provider.
      // The daily reconcile writes the same way (an adopted event moves its appointment), so
      // a run where it ran asks for the same (it is then a day from due again).
      if (pulled) next = earliest(await drainOutbox(ctx, all, live), Date.now());
      else if (reconciled) next = earliest(next, Date.now());
    } finally {
      await closeSessions(ctx, live);
    }
    return next;
  },
};
