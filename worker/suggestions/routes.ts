// Scheduling suggestions API (issue #21), for staff:
//   GET  /api/suggestions/risk?from&to[&doctorId]  no-show risk of the upcoming appointments in a range
//   GET  /api/suggestions/risk/:id                one appointment's risk (details panel)
//   GET  /api/suggestions/call-list               today's high-risk unconfirmed appointments, to phone
//   POST /api/suggestions/slots                   ranked free slots, optionally from a free-text request
//   GET  /api/suggestions/settings                weights, urgent types, horizon, actions, model facts
//   PUT  /api/suggestions/settings                (admin) change them
// Risk is shown to staff only (never to patients, never in a reminder).
import { Hono } from "hono";
import { z } from "zod";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import { DEFAULT_APPOINTMENT_TYPES, parseAppointmentTypes } from "../doctors/fields";
import type { AppEnv, SessionUser } from "../env";
import { forbidden, notFound } from "../errors";
import { csrf, requireRole, requireSessionReadAhead } from "../middleware/session";
import { addDays, localToUtc, utcToLocal } from "../scheduling/zone";
import { idParam, instant, isoDate, jsonBody, queryOf } from "../validate";
import { parseRequest } from "./parse-request";
import { suggestSlots, type SlotQuery } from "./rank";
import { loadRiskContext, modelSummary, riskFor, type UpcomingRow } from "./risk";
import { effectiveSettings, SuggestionSettingsSchema } from "./settings";
import { modelFromRow, modelStatement } from "./store";

const DAY = 86_400_000;
const MAX_RANGE_DAYS = 62;
/** A range holds at most this many appointments for risk (a busy clinic's two months). */
const MAX_RISK_ROWS = 3000;

const RiskQuery = z
  .strictObject({ from: instant, to: instant, doctorId: idParam.optional() })
  .refine((q) => q.to > q.from, { path: ["to"], message: "must be after from" })
  .refine((q) => q.to - q.from <= MAX_RANGE_DAYS * DAY, { path: ["to"], message: `the range is at most ${MAX_RANGE_DAYS} days` });

const minute = z.number().int().min(0).max(1440);
const SlotsBody = z.strictObject({
  patientId: idParam.optional(),
  type: z.string().trim().min(1).max(64),
  doctorId: idParam.optional(),
  minutes: z.number().int().min(5).max(720).optional(),
  /** The receptionist's words; what is understood is returned so it can be corrected below. */
  request: z.string().max(300).optional(),
  /** Explicit constraints (the corrected understanding): they win over the words. */
  fromDate: isoDate.optional(),
  toDate: isoDate.optional(),
  fromMinute: minute.optional(),
  toMinute: minute.optional(),
  weekdays: z.array(z.number().int().min(1).max(7)).max(7).optional(),
  earliest: z.boolean().optional(),
  limit: z.number().int().min(1).max(10).optional(),
  /** The booking dialog's doctor and visit length: used when neither the fields nor the words say otherwise. */
  defaults: z.strictObject({ doctorId: idParam.optional(), minutes: z.number().int().min(5).max(720).optional() }).optional(),
});

const UPCOMING_COLUMNS = "a.id, a.patient_id, a.start_ms, a.created_at, a.type, a.status";

/** The doctors a user may book for: a doctor only their own calendar (as in the booking dialog). */
const bookableDoctors = (u: SessionUser): string[] | null => (u.role === "doctor" ? (u.doctorId ? [u.doctorId] : []) : null);

export const suggestionRoutes = new Hono<AppEnv>()
  .use("*", requireSessionReadAhead, csrf)
  .get("/risk", async (c) => {
    const q = queryOf(c, RiskQuery);
    const u = c.var.user;
    const d1 = c.env.DB;
    const now = Date.now();
    // Only what can still be missed: scheduled / confirmed and not yet started.
    const { results } = await d1
      .prepare(
        `SELECT ${UPCOMING_COLUMNS} FROM appointments a INDEXED BY appointments_clinic_start_idx WHERE a.clinic_id = ? AND a.start_ms >= ? AND a.start_ms < ? ` +
          `AND a.status IN ('scheduled','confirmed')${q.doctorId ? " AND a.doctor_id = ?" : ""} ORDER BY a.start_ms LIMIT ?`,
      )
      .bind(...[u.clinicId, Math.max(q.from, now), q.to, ...(q.doctorId ? [q.doctorId] : []), MAX_RISK_ROWS])
      .all<UpcomingRow>();
    const ctx = await loadRiskContext(d1, u.clinicId, results, now);
    return c.json({ model: modelSummary(ctx.model), risks: Object.fromEntries(results.map((r) => [r.id, riskFor(r, ctx)])) });
  })
  .get("/risk/:id", async (c) => {
    const id = idParam.safeParse(c.req.param("id"));
    if (!id.success) throw notFound("Appointment");
    const u = c.var.user;
    const d1 = c.env.DB;
    const row = await d1.prepare(`SELECT ${UPCOMING_COLUMNS} FROM appointments a WHERE a.id = ? AND a.clinic_id = ?`).bind(id.data, u.clinicId).first<UpcomingRow>();
    if (!row) throw notFound("Appointment");
    const now = Date.now();
    const open = (row.status === "scheduled" || row.status === "confirmed") && row.start_ms > now;
    const ctx = await loadRiskContext(d1, u.clinicId, [row], now);
    return c.json({ model: modelSummary(ctx.model), risk: open ? riskFor(row, ctx) : null });
  })
  .get("/call-list", async (c) => {
    const u = c.var.user;
    const d1 = c.env.DB;
    const now = Date.now();
    const zoneRow = await d1.prepare("SELECT time_zone FROM clinics WHERE id = ?").bind(u.clinicId).first<{ time_zone: string }>();
    const zone = zoneRow?.time_zone ?? "UTC";
    const today = utcToLocal(zone, now).date;
    const { results } = await d1
      .prepare(
        `SELECT ${UPCOMING_COLUMNS}, a.doctor_id, a.patient_name, p.phone, d.name AS doctor_name FROM appointments a INDEXED BY appointments_clinic_start_idx ` +
          "JOIN patients p ON p.id = a.patient_id JOIN doctors d ON d.id = a.doctor_id " +
          "WHERE a.clinic_id = ? AND a.start_ms >= ? AND a.start_ms < ? AND a.status = 'scheduled' ORDER BY a.start_ms LIMIT ?",
      )
      .bind(u.clinicId, now, localToUtc(zone, addDays(today, 1), "00:00"), MAX_RISK_ROWS)
      .all<UpcomingRow & { doctor_id: string; patient_name: string; phone: string; doctor_name: string }>();
    const ctx = await loadRiskContext(d1, u.clinicId, results, now);
    const calls = results
      .filter((r) => !ctx.confirmed.has(r.id))
      .map((r) => ({ r, risk: riskFor(r, ctx) }))
      .filter((x) => x.risk.level === "high")
      .map(({ r, risk }) => ({
        appointmentId: r.id,
        start: new Date(r.start_ms).toISOString(),
        patientId: r.patient_id,
        patientName: r.patient_name,
        phone: r.phone,
        doctorId: r.doctor_id,
        doctorName: r.doctor_name,
        type: r.type,
        risk,
      }));
    return c.json({ date: today, timeZone: zone, model: modelSummary(ctx.model), calls });
  })
  .post("/slots", async (c) => {
    const b = await jsonBody(c, SlotsBody);
    const u = c.var.user;
    const allowed = bookableDoctors(u);
    if (b.doctorId && allowed && !allowed.includes(b.doctorId)) throw forbidden("A doctor books only into their own calendar.");
    const d1 = c.env.DB;
    const now = Date.now();
    let understood = {};
    let summary = "";
    if (b.request?.trim()) {
      const [docs, zone] = await d1.batch([
        d1.prepare("SELECT id, name, appointment_types FROM doctors WHERE clinic_id = ? AND active = 1").bind(u.clinicId),
        d1.prepare("SELECT time_zone FROM clinics WHERE id = ?").bind(u.clinicId),
      ]);
      const doctors = (docs.results as { id: string; name: string; appointment_types: string }[]).filter((d) => !allowed || allowed.includes(d.id));
      const typeLists = doctors.map((d) => parseAppointmentTypes(d.appointment_types)).map((l) => (l.length ? l : DEFAULT_APPOINTMENT_TYPES));
      const types = [...new Set(typeLists.flat().map((t) => t.name))];
      const parsed = parseRequest(b.request, { now, zone: (zone.results[0] as { time_zone: string } | undefined)?.time_zone ?? "UTC", doctors, types });
      understood = parsed.understood;
      summary = parsed.summary;
    }
    const { request: _, defaults, ...explicit } = b;
    const defined = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined));
    const query = { ...defaults, ...understood, ...defined } as SlotQuery & { doctorName?: string };
    if (query.doctorId && allowed && !allowed.includes(query.doctorId)) throw forbidden("A doctor books only into their own calendar.");
    const r = await suggestSlots(d1, u.clinicId, allowed, query, now);
    return c.json({ understood, summary, ...r });
  })
  .get("/settings", async (c) => {
    const d1 = c.env.DB;
    const u = c.var.user;
    const [s, m] = await d1.batch([d1.prepare("SELECT settings FROM suggestion_settings WHERE clinic_id = ?").bind(u.clinicId), modelStatement(d1, u.clinicId)]);
    return c.json({ settings: effectiveSettings((s.results[0] as { settings: string } | undefined)?.settings), model: modelSummary(modelFromRow(m.results[0] as never)) });
  })
  .put("/settings", requireRole("admin"), async (c) => {
    const b = await jsonBody(c, SuggestionSettingsSchema);
    const u = c.var.user;
    const d1 = c.env.DB;
    const now = Date.now();
    const before = await d1.prepare("SELECT settings FROM suggestion_settings WHERE clinic_id = ?").bind(u.clinicId).first<{ settings: string }>();
    const old = effectiveSettings(before?.settings);
    const merged = { ...old, ...b, weights: { ...old.weights, ...b.weights } };
    await d1.batch([
      d1
        .prepare("INSERT INTO suggestion_settings (clinic_id, settings, updated_at) VALUES (?, ?, ?) ON CONFLICT (clinic_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at")
        .bind(u.clinicId, JSON.stringify(merged), now),
      toD1(d1, auditInsert(makeDb(d1), u.clinicId, actorOf(u), "suggestions.settings", "clinic", u.clinicId, { before: old, after: merged })),
    ]);
    return c.json({ settings: merged });
  });
