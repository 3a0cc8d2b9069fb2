// A notice for the doctor and the front desk (every active receptionist of the clinic) about
// something a patient did on their own — moved an appointment, took a waitlist offer — so
// nobody has to notice it in the calendar. Written in one batch, then published live so open
// screens show it at once (each user's screen filters notices by its own user id).
import type { Env } from "../env";
import { hubFor } from "../hub/doctor-hub";
import { noticeInsert } from "./notices";

export interface FrontDeskNotice {
  clinicId: string;
  doctorId: string;
  kind: string;
  message: string;
  entityType: string;
  entityId: string;
}

export async function notifyDoctorAndFrontDesk(env: Env, n: FrontDeskNotice, now = Date.now()): Promise<void> {
  const { results } = await env.DB.prepare(
    "SELECT user_id AS id FROM doctors WHERE id = ? AND user_id IS NOT NULL UNION SELECT id FROM users WHERE clinic_id = ? AND role = 'receptionist' AND disabled = 0 LIMIT 50",
  )
    .bind(n.doctorId, n.clinicId)
    .all<{ id: string }>();
  if (!results.length) return;
  const made = results.map((u) => ({ userId: u.id, ...noticeInsert(env.DB, { clinicId: n.clinicId, userId: u.id, kind: n.kind, message: n.message, entityType: n.entityType, entityId: n.entityId }, now) }));
  await env.DB.batch(made.map((m) => m.statement));
  const hub = hubFor(env, n.doctorId);
  for (const m of made)
    await hub
      .publish(n.doctorId, { kind: "notice", op: "created", doctorId: n.doctorId, record: { ...m.notice, userId: m.userId } })
      .catch((err) => console.error("notice publish failed", err));
}
