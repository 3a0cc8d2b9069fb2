// A small, deterministic clinic for the browser tests, written as SQL for `wrangler d1 execute`.
// (The platform engineer's scripts/seed.mjs serves `npm run dev`; the browser tests need rows they
// can reason about: known names, this week's appointments, a lunch block every day.)
// Clinic zone is UTC so wall-clock times in assertions equal the ISO times we seed.
import { createHash, pbkdf2Sync, randomBytes } from "node:crypto";

export const E2E_PASSWORD = "e2e correct horse battery";
export const CLINIC_TZ = "UTC";

export const ids = {
  clinic: "c".repeat(32),
  admin: "a0".repeat(16),
  reception: "a1".repeat(16),
  userHouse: "a2".repeat(16),
  userCuddy: "a3".repeat(16),
  drHouse: "d0".repeat(16),
  drCuddy: "d1".repeat(16),
  pAlice: "e0".repeat(16),
  pBob: "e1".repeat(16),
  pCarol: "e2".repeat(16),
};

export const users = {
  reception: { email: "reception@e2e.test", name: "Rita Reception" },
  admin: { email: "admin@e2e.test", name: "Ada Admin" },
};

// Same format as worker/auth/passwords.ts (PBKDF2-SHA256, 100k iterations).
function hash(password: string): string {
  const salt = randomBytes(16);
  const h = pbkdf2Sync(password, salt, 100_000, 32, "sha256");
  return `pbkdf2-sha256$100000$${salt.toString("base64")}$${h.toString("base64")}`;
}

const q = (v: string | number | null) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replace(/'/g, "''")}'`);
const HOUR = 3_600_000;

/** Midnight UTC of the given day. */
export function dayStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Every day 08:00–18:00 so the tests do not depend on the weekday they run on. */
const HOURS = JSON.stringify(Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "18:00"]]])));

export interface SeededAppointment {
  id: string;
  doctorId: string;
  patient: string;
  start: number;
  end: number;
  status: string;
}

export function seedSql(now = Date.now()) {
  const pw = hash(E2E_PASSWORD);
  const today = dayStart(now);
  const rows: string[] = [];
  rows.push(`INSERT INTO clinics (id, name, time_zone, address, domain) VALUES (${q(ids.clinic)}, 'Riverside Clinic', ${q(CLINIC_TZ)}, '1 River Rd', 'e2e.test');`);
  const user = (id: string, email: string, name: string, role: string) =>
    rows.push(`INSERT INTO users (id, clinic_id, email, name, password_hash, role) VALUES (${q(id)}, ${q(ids.clinic)}, ${q(email)}, ${q(name)}, ${q(pw)}, ${q(role)});`);
  user(ids.admin, users.admin.email, users.admin.name, "admin");
  user(ids.reception, users.reception.email, users.reception.name, "receptionist");
  user(ids.userHouse, "house@e2e.test", "Dr Gregory House", "doctor");
  user(ids.userCuddy, "cuddy@e2e.test", "Dr Lisa Cuddy", "doctor");
  const doctor = (id: string, userId: string, name: string, color: string) =>
    rows.push(
      `INSERT INTO doctors (id, clinic_id, user_id, name, specialty, color, slot_minutes, working_hours) VALUES (${q(id)}, ${q(ids.clinic)}, ${q(userId)}, ${q(name)}, 'General', ${q(color)}, 30, ${q(HOURS)});`,
    );
  doctor(ids.drHouse, ids.userHouse, "Dr House", "#7c3aed");
  doctor(ids.drCuddy, ids.userCuddy, "Dr Cuddy", "#0d9488");
  const patient = (id: string, name: string, phone: string) =>
    rows.push(
      `INSERT INTO patients (id, clinic_id, name, name_lc, phone, phone_digits, email) VALUES (${q(id)}, ${q(ids.clinic)}, ${q(name)}, ${q(name.toLowerCase())}, ${q(phone)}, ${q(phone.replace(/\D/g, ""))}, '');`,
    );
  patient(ids.pAlice, "Alice Archer", "+44 20 0000 0001");
  patient(ids.pBob, "Bob Baker", "+44 20 0000 0002");
  patient(ids.pCarol, "Carol Cooper", "+44 20 0000 0003");

  // Lunch 12:00–13:00 blocked for both doctors, every day from 7 days back to 35 days ahead.
  for (let d = -7; d <= 35; d++) {
    for (const doc of [ids.drHouse, ids.drCuddy]) {
      const s = today + d * 24 * HOUR + 12 * HOUR;
      const id = `b${doc.slice(0, 2)}${String(d + 10).padStart(2, "0")}`.padEnd(32, "0");
      rows.push(
        `INSERT INTO blocked_times (id, clinic_id, doctor_id, start_ms, end_ms, source, label, all_day, created_by) VALUES (${q(id)}, ${q(ids.clinic)}, ${q(doc)}, ${s}, ${s + HOUR}, 'manual', 'Lunch', 0, ${q(ids.admin)});`,
      );
    }
  }

  // Today: three appointments with known names and statuses; plus one each neighbouring day.
  const appts: SeededAppointment[] = [
    { id: "f0".repeat(16), doctorId: ids.drHouse, patient: ids.pAlice, start: today + 9 * HOUR, end: today + 9.5 * HOUR, status: "scheduled" },
    { id: "f1".repeat(16), doctorId: ids.drHouse, patient: ids.pBob, start: today + 10 * HOUR, end: today + 10.5 * HOUR, status: "confirmed" },
    { id: "f2".repeat(16), doctorId: ids.drCuddy, patient: ids.pCarol, start: today + 9 * HOUR, end: today + 9.5 * HOUR, status: "completed" },
    { id: "f3".repeat(16), doctorId: ids.drCuddy, patient: ids.pAlice, start: today + 24 * HOUR + 11 * HOUR, end: today + 24 * HOUR + 11.5 * HOUR, status: "no_show" },
    { id: "f4".repeat(16), doctorId: ids.drHouse, patient: ids.pCarol, start: today - 24 * HOUR + 15 * HOUR, end: today - 24 * HOUR + 15.5 * HOUR, status: "cancelled" },
  ];
  for (const a of appts) {
    rows.push(
      `INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, reason, status, notes, version, created_by, updated_by) VALUES (${q(a.id)}, ${q(ids.clinic)}, ${q(a.doctorId)}, ${q(a.patient)}, (SELECT name FROM patients WHERE id = ${q(a.patient)}), ${a.start}, ${a.end}, 'consultation', 'Check', ${q(a.status)}, '', 1, ${q(ids.admin)}, ${q(ids.admin)});`,
    );
  }
  // Two unread notices for Dr House (the bell test): a sync conflict about Alice's appointment
  // (links to it) and an older general one.
  for (const n of seededNotices(now))
    rows.push(
      `INSERT INTO notices (id, clinic_id, user_id, kind, message, entity_type, entity_id, created_at) VALUES (${q(n.id)}, ${q(ids.clinic)}, ${q(ids.userHouse)}, ${q(n.kind)}, ${q(n.message)}, ${q(n.entityType)}, ${q(n.entityId)}, ${n.createdAt});`,
    );
  // Patients' personal links (issue #13): two appointments 60 days ahead (out of every view the
  // calendar tests look at), each with a link whose token the browser test opens.
  for (const [i, l] of Object.values(patientLinks).entries()) {
    const start = today + (60 + i) * 24 * HOUR + 14 * HOUR;
    // The "notice" link's appointment is Dr Cuddy's: its notice must not add to Dr House's seeded two.
    const doctor = l === patientLinks.notice ? ids.drCuddy : ids.drHouse;
    rows.push(
      `INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, reason, status, notes, version, created_by, updated_by) VALUES (${q(l.appointmentId)}, ${q(ids.clinic)}, ${q(doctor)}, ${q(ids.pBob)}, 'Bob Baker', ${start}, ${start + HOUR / 2}, 'consultation', 'PRIVATE-REASON', 'scheduled', 'PRIVATE-NOTE', 1, ${q(ids.admin)}, ${q(ids.admin)});`,
      `INSERT INTO patient_links (token_hash, clinic_id, appointment_id, expires_at, created_at) VALUES (${q(createHash("sha256").update(l.token).digest("hex"))}, ${q(ids.clinic)}, ${q(l.appointmentId)}, ${start + HOUR / 2}, ${now});`,
    );
  }
  // Self-reschedule (issue #20): Bob with Dr Cuddy 12 days ahead at 16:00 (inside the 14-day
  // window the patient chooses from, outside the views other tests count), with its link.
  {
    const m = rescheduleLink;
    const start = today + 12 * 24 * HOUR + 16 * HOUR;
    rows.push(
      `INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, reason, status, notes, version, created_by, updated_by) VALUES (${q(m.appointmentId)}, ${q(ids.clinic)}, ${q(ids.drCuddy)}, ${q(ids.pBob)}, 'Bob Baker', ${start}, ${start + HOUR / 2}, 'consultation', 'PRIVATE-REASON', 'scheduled', '', 1, ${q(ids.admin)}, ${q(ids.admin)});`,
      `INSERT INTO patient_links (token_hash, clinic_id, appointment_id, expires_at, created_at) VALUES (${q(createHash("sha256").update(m.token).digest("hex"))}, ${q(ids.clinic)}, ${q(m.appointmentId)}, ${start + HOUR / 2}, ${now});`,
    );
  }
  // Analytics (issue #19): a completed visit whose link asks the NPS question.
  {
    const start = today + 62 * 24 * HOUR + 14 * HOUR;
    const l = npsLink;
    rows.push(
      `INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, reason, status, notes, version, created_by, updated_by) VALUES (${q(l.appointmentId)}, ${q(ids.clinic)}, ${q(ids.drCuddy)}, ${q(ids.pCarol)}, 'Carol Cooper', ${start}, ${start + HOUR / 2}, 'consultation', '', 'completed', '', 1, ${q(ids.admin)}, ${q(ids.admin)});`,
      `INSERT INTO patient_links (token_hash, clinic_id, appointment_id, expires_at, created_at) VALUES (${q(createHash("sha256").update(l.token).digest("hex"))}, ${q(ids.clinic)}, ${q(l.appointmentId)}, ${start + HOUR / 2}, ${now});`,
    );
  }
  // Standby offer (issue #21, worker/waitlist/standby.ts): Alice's unconfirmed appointment with
  // Dr House 61 days ahead at 11:00 is offered to Carol (waiting for that day only) as standby.
  // Her entry is for a follow-up: other files book Carol consultations with Dr House, and a new
  // booking of the same type and doctor takes a patient off the waitlist (closing this offer).
  {
    const o = standbyOffer;
    const start = today + 61 * 24 * HOUR + 11 * HOUR;
    const day = new Date(start).toISOString().slice(0, 10);
    rows.push(
      `INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, reason, status, notes, version, created_by, updated_by) VALUES (${q(o.heldId)}, ${q(ids.clinic)}, ${q(ids.drHouse)}, ${q(ids.pAlice)}, 'Alice Archer', ${start}, ${start + HOUR / 2}, 'consultation', '', 'scheduled', '', 1, ${q(ids.admin)}, ${q(ids.admin)});`,
      `INSERT INTO waitlist_entries (id, clinic_id, patient_id, doctor_id, type, minutes, earliest_date, latest_date, preferences, channel, priority, note, state, created_by, created_at, updated_at) VALUES (${q(o.entryId)}, ${q(ids.clinic)}, ${q(ids.pCarol)}, ${q(ids.drHouse)}, 'follow-up', 30, ${q(day)}, ${q(day)}, '[]', 'email', 0, '', 'waiting', ${q(ids.admin)}, ${now}, ${now});`,
      `INSERT INTO waitlist_slots (id, clinic_id, doctor_id, start_ms, end_ms, cause, state, next_at, freed_at, offered_at, standby_for, final_at, release_unconfirmed) VALUES (${q(o.slotId)}, ${q(ids.clinic)}, ${q(ids.drHouse)}, ${start}, ${start + HOUR / 2}, 'standby (high no-show risk)', 'offering', ${start - 4 * HOUR}, ${now}, ${now}, ${q(o.heldId)}, ${start - 4 * HOUR}, 0);`,
      `INSERT INTO waitlist_offers (id, clinic_id, slot_id, entry_id, doctor_id, patient_id, start_ms, end_ms, token_hash, channel, state, expires_at, sent_at, created_at) VALUES (${q(o.offerId)}, ${q(ids.clinic)}, ${q(o.slotId)}, ${q(o.entryId)}, ${q(ids.drHouse)}, ${q(ids.pCarol)}, ${start}, ${start + HOUR / 2}, ${q(createHash("sha256").update(o.token).digest("hex"))}, 'email', 'sent', ${start - 4 * HOUR}, ${now}, ${now});`,
    );
  }
  return { sql: rows.join("\n") + "\n", appointments: appts, today };
}

export const patientLinks = {
  confirm: { token: "e2eConfirmToken_0123456789abcdef", appointmentId: "fa".repeat(16) },
  cancel: { token: "e2eCancelToken__0123456789abcdef", appointmentId: "fb".repeat(16) },
  // receptionist-day.test.ts: a patient's confirmation that reaches Dr Cuddy live on Settings.
  notice: { token: "e2eNoticeToken__0123456789abcdef", appointmentId: "fc".repeat(16) },
};

export const rescheduleLink = { token: "e2eMoveToken____0123456789abcdef", appointmentId: "f9".repeat(16) };
export const standbyOffer = { token: "e2eStandbyToken_0123456789abcdef", heldId: "f7".repeat(16), entryId: "f6".repeat(16), slotId: "f5".repeat(16), offerId: "f4e".repeat(10) + "f4" };
export const npsLink = { token: "e2eNpsToken_____0123456789abcdef", appointmentId: "f8".repeat(16) };

export function seededNotices(now: number) {
  return [
    {
      id: "9a".repeat(16),
      kind: "sync_conflict",
      message: "Alice Archer's appointment was changed in ACMS and in Google Calendar; the later change (Google Calendar) was kept.",
      entityType: "appointment",
      entityId: "f0".repeat(16),
      createdAt: now - 5 * 60_000,
    },
    { id: "9b".repeat(16), kind: "info", message: "Calendar sync resumed after a Google outage.", entityType: null, entityId: null, createdAt: now - 60 * 60_000 },
  ];
}
