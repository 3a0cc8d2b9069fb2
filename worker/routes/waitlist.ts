// The waitlist for staff (session; every role reads and adds, as the front desk does):
//   GET   /api/waitlist?state=waiting|all&patientId=   entries with their latest offer (expired ones drop off)
//   POST  /api/waitlist                                  put a patient on it
//   PATCH /api/waitlist/:id  {priority?, state:"removed"?}
//   GET   /api/waitlist/offers                           the last offers with their outcome (live board)
//   POST  /api/waitlist/offer-slot {doctorId, start, end} offer a free time now (offerSlot)
//   GET   /api/waitlist/stats?from=&to=                  slots freed, offered, refilled, time to refill
import { Hono } from "hono";
import { z } from "zod";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import { parseAppointmentTypes } from "../doctors/fields";
import type { AppEnv } from "../env";
import { notFound, validationError } from "../errors";
import { newId } from "../ids";
import { csrf, requireSession } from "../middleware/session";
import { utcToLocal } from "../scheduling/zone";
import { idParam, instant, isoDate, jsonBody, queryOf } from "../validate";
import { PreferencesSchema } from "../waitlist/match";
import { offerSlot } from "../waitlist/offer-slot";
import { reachableChannel } from "../waitlist/offers";
import { REFILL_STATS_SQL, type RefillStatsRow } from "../waitlist/refill-stats";
import { idOf } from "./path-id";

const EntryBody = z
  .strictObject({
    patientId: idParam,
    doctorId: idParam.nullable(),
    type: z.string().trim().min(1).max(64),
    /** Defaults to the type's duration for that doctor (or 30 for "any doctor" without one). */
    minutes: z.number().int().min(5).max(480).optional(),
    earliestDate: isoDate,
    latestDate: isoDate,
    preferences: PreferencesSchema.default([]),
    channel: z.enum(["sms", "email"]),
    priority: z.number().int().min(0).max(9).default(0),
    note: z.string().trim().max(500).default(""),
    /** The patient's later appointment an accepted offer moves earlier (instead of booking a second one). */
    replacesAppointmentId: idParam.nullable().default(null),
  })
  .refine((b) => b.latestDate >= b.earliestDate, { path: ["latestDate"], message: "must not be before earliestDate" });

const PatchBody = z.strictObject({ priority: z.number().int().min(0).max(9).optional(), state: z.literal("removed").optional() });

const ENTRY_SQL =
  "SELECT e.id, e.patient_id, p.name AS patient_name, e.doctor_id, d.name AS doctor_name, e.type, e.minutes, e.earliest_date, e.latest_date, e.preferences, " +
  "e.channel, e.priority, e.note, e.state, e.appointment_id, e.replaces_appointment_id, e.created_at, " +
  "(SELECT json_object('state', o.state, 'start', o.start_ms, 'sentAt', o.sent_at, 'openedAt', o.opened_at, 'channel', o.channel) FROM waitlist_offers o WHERE o.entry_id = e.id ORDER BY o.created_at DESC LIMIT 1) AS last_offer " +
  "FROM waitlist_entries e JOIN patients p ON p.id = e.patient_id LEFT JOIN doctors d ON d.id = e.doctor_id ";

const iso = (ms: unknown) => (typeof ms === "number" ? new Date(ms).toISOString() : null);

function entryDto(r: Record<string, any>) {
  const last = r.last_offer ? JSON.parse(r.last_offer) : null;
  return {
    id: r.id,
    patientId: r.patient_id,
    patientName: r.patient_name,
    doctorId: r.doctor_id,
    doctorName: r.doctor_name ?? null,
    type: r.type,
    minutes: r.minutes,
    earliestDate: r.earliest_date,
    latestDate: r.latest_date,
    preferences: JSON.parse(r.preferences),
    channel: r.channel,
    priority: r.priority,
    note: r.note,
    state: r.state,
    appointmentId: r.appointment_id,
    replacesAppointmentId: r.replaces_appointment_id,
    createdAt: iso(r.created_at),
    lastOffer: last && { state: last.state, start: iso(last.start), sentAt: iso(last.sentAt), openedAt: iso(last.openedAt), channel: last.channel },
  };
}

/** Entries whose latest date has passed (in the clinic's zone) leave the list. */
async function expireEntries(d1: D1Database, clinicId: string, zone: string, now: number) {
  await d1
    .prepare("UPDATE waitlist_entries SET state = 'expired', updated_at = ? WHERE clinic_id = ? AND state = 'waiting' AND latest_date < ?")
    .bind(now, clinicId, utcToLocal(zone, now).date)
    .run();
}

export const waitlistRoutes = new Hono<AppEnv>()
  .use("*", requireSession, csrf)
  .get("/", async (c) => {
    const q = queryOf(c, z.strictObject({ state: z.enum(["waiting", "all"]).default("waiting"), patientId: idParam.optional() }));
    const u = c.var.user;
    const clinic = await c.env.DB.prepare("SELECT time_zone FROM clinics WHERE id = ?").bind(u.clinicId).first<{ time_zone: string }>();
    await expireEntries(c.env.DB, u.clinicId, clinic!.time_zone, Date.now());
    const where = ["e.clinic_id = ?"];
    const params: unknown[] = [u.clinicId];
    if (q.state === "waiting") where.push("e.state = 'waiting'");
    if (q.patientId) (where.push("e.patient_id = ?"), params.push(q.patientId));
    const { results } = await c.env.DB.prepare(`${ENTRY_SQL} WHERE ${where.join(" AND ")} ORDER BY e.state = 'waiting' DESC, e.priority DESC, e.created_at LIMIT 500`)
      .bind(...params)
      .all<Record<string, any>>();
    return c.json({ entries: results.map(entryDto) });
  })
  .post("/", async (c) => {
    const b = await jsonBody(c, EntryBody);
    const u = c.var.user;
    const [p, d, r] = await c.env.DB.batch([
      c.env.DB.prepare("SELECT email, phone_digits AS phone, sms_consent FROM patients WHERE id = ? AND clinic_id = ?").bind(b.patientId, u.clinicId),
      c.env.DB.prepare("SELECT appointment_types FROM doctors WHERE id = ? AND clinic_id = ?").bind(b.doctorId ?? "", u.clinicId),
      c.env.DB.prepare("SELECT 1 AS ok FROM appointments WHERE id = ? AND clinic_id = ? AND patient_id = ? AND status IN ('scheduled','confirmed') AND start_ms > ?").bind(
        b.replacesAppointmentId ?? "",
        u.clinicId,
        b.patientId,
        Date.now(),
      ),
    ]);
    const patient = p.results[0] as { email: string; phone: string; sms_consent: number } | undefined;
    if (!patient) throw notFound("Patient");
    const doctor = d.results[0] as { appointment_types: string } | undefined;
    if (b.doctorId && !doctor) throw notFound("Doctor");
    if (b.replacesAppointmentId && !r.results.length)
      throw validationError("That appointment cannot be moved.", [{ path: "replacesAppointmentId", message: "must be one of the patient's upcoming appointments" }]);
    const reach = reachableChannel(b.channel, { phone: patient.phone, email: patient.email, smsConsent: patient.sms_consent });
    if (reach !== b.channel)
      throw validationError("The patient cannot be reached that way.", [
        { path: "channel", message: b.channel === "sms" ? "no SMS consent or no phone number recorded" : "no e-mail address recorded" },
      ]);
    const typeMinutes = doctor ? parseAppointmentTypes(doctor.appointment_types).find((t) => t.name.toLowerCase() === b.type.toLowerCase())?.minutes : undefined;
    const minutes = b.minutes ?? typeMinutes ?? 30;
    const id = newId();
    const now = Date.now();
    const db = makeDb(c.env.DB);
    await c.env.DB.batch([
      c.env.DB.prepare(
        "INSERT INTO waitlist_entries (id, clinic_id, patient_id, doctor_id, type, minutes, earliest_date, latest_date, preferences, channel, priority, note, state, replaces_appointment_id, created_by, created_at, updated_at) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?)",
      ).bind(id, u.clinicId, b.patientId, b.doctorId, b.type, minutes, b.earliestDate, b.latestDate, JSON.stringify(b.preferences), b.channel, b.priority, b.note, b.replacesAppointmentId, u.userId, now, now),
      toD1(c.env.DB, auditInsert(db, u.clinicId, actorOf(u), "waitlist.add", "patient", b.patientId, { entry: id, doctorId: b.doctorId, type: b.type })),
    ]);
    const row = await c.env.DB.prepare(`${ENTRY_SQL} WHERE e.id = ?`).bind(id).first<Record<string, any>>();
    return c.json({ entry: entryDto(row!) }, 201);
  })
  .patch("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "Waitlist entry");
    const b = await jsonBody(c, PatchBody);
    const u = c.var.user;
    if (b.priority === undefined && !b.state) throw validationError("Send at least one field to change.");
    const now = Date.now();
    const db = makeDb(c.env.DB);
    const [upd] = await c.env.DB.batch([
      c.env.DB.prepare(
        "UPDATE waitlist_entries SET priority = coalesce(?, priority), state = CASE WHEN ? = 'removed' AND state = 'waiting' THEN 'removed' ELSE state END, updated_at = ? " +
          "WHERE id = ? AND clinic_id = ? RETURNING patient_id",
      ).bind(b.priority ?? null, b.state ?? null, now, id, u.clinicId),
      // A removed patient's open offers close with it.
      c.env.DB.prepare("UPDATE waitlist_offers SET state = 'expired' WHERE entry_id = ? AND clinic_id = ? AND state IN ('sending','sent','opened') AND ? = 'removed'").bind(id, u.clinicId, b.state ?? ""),
    ]);
    const patientId = (upd.results[0] as { patient_id: string } | undefined)?.patient_id;
    if (!patientId) throw notFound("Waitlist entry");
    await toD1(c.env.DB, auditInsert(db, u.clinicId, actorOf(u), b.state ? "waitlist.remove" : "waitlist.update", "patient", patientId, { entry: id, ...b })).run();
    const row = await c.env.DB.prepare(`${ENTRY_SQL} WHERE e.id = ?`).bind(id).first<Record<string, any>>();
    return c.json({ entry: entryDto(row!) });
  })
  .get("/offers", async (c) => {
    const u = c.var.user;
    const { results } = await c.env.DB.prepare(
      "SELECT o.id, o.entry_id, o.doctor_id, d.name AS doctor_name, p.name AS patient_name, o.start_ms, o.end_ms, o.channel, o.state, o.error, o.sent_at, o.opened_at, o.answered_at, o.expires_at, o.created_at, " +
        "s.standby_for IS NOT NULL AS standby " +
        "FROM waitlist_offers o JOIN patients p ON p.id = o.patient_id JOIN doctors d ON d.id = o.doctor_id LEFT JOIN waitlist_slots s ON s.id = o.slot_id " +
        "WHERE o.clinic_id = ? ORDER BY o.created_at DESC LIMIT 100",
    )
      .bind(u.clinicId)
      .all<Record<string, any>>();
    return c.json({
      offers: results.map((r) => ({
        id: r.id,
        entryId: r.entry_id,
        doctorId: r.doctor_id,
        doctorName: r.doctor_name,
        patientName: r.patient_name,
        start: iso(r.start_ms),
        end: iso(r.end_ms),
        channel: r.channel,
        state: r.state,
        /** A standby offer: the time is still booked; it becomes theirs only if that patient cancels (docs/waitlist.md). */
        standby: r.standby === 1,
        error: r.error,
        sentAt: iso(r.sent_at),
        openedAt: iso(r.opened_at),
        answeredAt: iso(r.answered_at),
        expiresAt: iso(r.expires_at),
        createdAt: iso(r.created_at),
      })),
    });
  })
  .post("/offer-slot", async (c) => {
    const b = await jsonBody(c, z.strictObject({ doctorId: idParam, start: instant, end: instant }));
    const u = c.var.user;
    const d = await c.env.DB.prepare("SELECT 1 AS x FROM doctors WHERE id = ? AND clinic_id = ?").bind(b.doctorId, u.clinicId).first();
    if (!d) throw notFound("Doctor");
    if (!(b.end > b.start) || b.end - b.start > 12 * 3600_000) throw validationError("The time is not valid.", [{ path: "end", message: "must be after start, at most 12 hours" }]);
    const id = await offerSlot(c.env, b.doctorId, { startMs: b.start, endMs: b.end }, "staff");
    if (!id) throw validationError("The time has already started.", [{ path: "start", message: "must be in the future" }]);
    return c.json({ slotId: id }, 202);
  })
  .get("/stats", async (c) => {
    const q = queryOf(c, z.strictObject({ from: instant.optional(), to: instant.optional() }));
    const u = c.var.user;
    const to = q.to ?? Date.now();
    const from = q.from ?? to - 30 * 86_400_000;
    const r = await c.env.DB.prepare(REFILL_STATS_SQL).bind(u.clinicId, from, to, "*").first<RefillStatsRow>();
    return c.json({
      from: iso(from),
      to: iso(to),
      slotsFreed: r?.freed ?? 0,
      slotsOffered: r?.offered ?? 0,
      slotsRefilled: r?.refilled ?? 0,
      avgMinutesToRefill: r?.avg_ms == null ? null : Math.round(r.avg_ms / 60_000),
    });
  });
