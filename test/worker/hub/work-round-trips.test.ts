// What the doctor's hub costs in D1 round trips after each booking (issue #18): its registered
// background work runs after every change, so for the common doctor (no calendar connected,
// nothing due) it must be a handful of calls, and one invite costs the same three calls as many.
// The work itself must still be done: the invite sent, the sync outbox row closed.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAppointment, type Caller } from "../../../worker/appointments/write";
import { setEmailSenderOverride, type OutgoingEmail } from "../../../worker/email/sender";
import { hubWork, type HubContext } from "../../../worker/hub/work";
import { countRows, makeClinic } from "../../helpers";
import { countingDb } from "../d1-counter";

let sent: OutgoingEmail[] = [];
beforeEach(() => {
  sent = [];
  setEmailSenderOverride(() => ({ send: async (m) => void sent.push(m) }));
});
afterEach(() => setEmailSenderOverride(null));

const DAY = 86_400_000;

/** Runs every registered piece of hub work once for the doctor; the D1 calls each made. */
async function runWork(doctorId: string) {
  const { db, count } = countingDb(env.DB);
  const ctx: HubContext = { env: { ...env, DB: db }, doctorId, exclusive: (fn) => fn(), publish: async () => {}, publishMany: async () => {} };
  const trips: Record<string, number> = {};
  for (const w of hubWork()) {
    count.trips = 0;
    await w.run(ctx);
    trips[w.name] = count.trips;
  }
  return trips;
}

describe("the hub's work after a booking", () => {
  it("costs one D1 call per piece of work when nothing is due, and three for the invite it sends", async () => {
    const f = await makeClinic();
    const d = f.doctors[0].doctor;
    // Days ahead at 10:00 UTC, booked by an admin with the outside-hours override (any weekday
    // the test runs on): reminders planned, none due.
    const admin: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
    const book = (days: number, patient: number) => {
      const start = Math.floor(Date.now() / DAY + days) * DAY + 10 * 3600_000;
      return createAppointment(env, admin, { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[patient].id, startMs: start, endMs: start + 1_800_000, allowOutsideHours: true }, { origin: "acms" });
    };
    expect((await book(2, 0)).ok).toBe(true);
    expect(await countRows("sync_outbox", "doctor_id = ? AND state = 'pending'", d.id)).toBe(1);

    expect(await runWork(d.id)).toEqual({ "calendar-sync": 1, "invite-email": 3, reminders: 1, waitlist: 1 });
    expect(sent.map((m) => m.to)).toEqual([f.patients[0].email]);
    expect(await countRows("email_outbox", "appointment_id IN (SELECT id FROM appointments WHERE doctor_id = ?) AND state = 'sent'", d.id)).toBe(1);
    // No calendar connected: the outbox row is closed with the reason, not left pending.
    expect(await countRows("sync_outbox", "doctor_id = ? AND state = 'done' AND last_error = 'no calendar integration'", d.id)).toBe(1);
    expect(await countRows("patient_links", "appointment_id IN (SELECT id FROM appointments WHERE doctor_id = ?)", d.id)).toBe(1);

    // Nothing pending: one call each.
    expect(await runWork(d.id)).toEqual({ "calendar-sync": 1, "invite-email": 1, reminders: 1, waitlist: 1 });

    // Two invites due at once: still three calls, both sent.
    expect((await book(3, 0)).ok).toBe(true);
    expect((await book(4, 1)).ok).toBe(true);
    expect((await runWork(d.id))["invite-email"]).toBe(3);
    expect(sent.map((m) => m.to).sort()).toEqual([f.patients[0].email, f.patients[0].email, f.patients[1].email].sort());
  });
});
