// Patient engagement settings and state (issue #13), for staff:
//   GET  /api/clinic/reminders            reminder rules, quiet hours, cut-off, templates (+ SMS length)
//   PUT  /api/clinic/reminders            (admin) change them
//   PUT  /api/patients/:id/sms-consent    {consent} — ticked by a receptionist, recorded with who and when
//   GET  /api/appointments/:id/engagement reminders sent/delivered/failed, patient responses, video link
//   PUT  /api/appointments/:id/video      {enabled} — a Jitsi link on/off for one appointment
import { Hono } from "hono";
import { z } from "zod";
import { getAppointment } from "../appointments/queries";
import { hubFor } from "../hub/doctor-hub";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import type { AppEnv } from "../env";
import { conflict, forbidden, notFound, validationError } from "../errors";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { parseRules, parseStringList } from "../reminders/plan";
import { consentOffStatements, replanClinic, replanPatients } from "../reminders/replan";
import { effectiveReminderTemplates, renderSms, ReminderTemplatesSchema, unknownReminderPlaceholders } from "../reminders/messages";
import { smsLength } from "../sms/segments";
import { jsonBody } from "../validate";
import { joinUrl } from "../video/jitsi";
import { videoToggleStatements } from "../video/toggle";
import { idOf } from "./path-id";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "is not a time (HH:MM)");
const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
const fromMin = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const typeName = z.string().trim().min(1).max(60);

const RemindersBody = z.strictObject({
  rules: z
    .array(z.strictObject({ offsetMinutes: z.number().int().min(5).max(30 * 1440), channel: z.enum(["email", "sms"]) }))
    .max(10)
    .optional(),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }).optional(),
  cancelCutoffMinutes: z.number().int().min(0).max(14 * 1440).optional(),
  phone: z.string().trim().max(40).regex(/^[\d+() .-]*$/, "is not a phone number").optional(),
  // ISO 3166 alpha-2: the region patients' national phone numbers are read in ("" = SMS_DEFAULT_COUNTRY_CODE).
  country: z.union([z.literal(""), z.string().regex(/^[A-Za-z]{2}$/, "is not a two-letter country code").transform((s) => s.toUpperCase())]).optional(),
  noReminderTypes: z.array(typeName).max(50).optional(),
  videoTypes: z.array(typeName).max(50).optional(),
  jitsiBaseUrl: z.url({ protocol: /^https$/ }).max(200).optional(),
  templates: ReminderTemplatesSchema.optional(),
});

interface SettingsRow {
  reminder_rules: string;
  quiet_start_min: number;
  quiet_end_min: number;
  cancel_cutoff_min: number;
  phone: string;
  no_reminder_types: string;
  video_types: string;
  jitsi_base_url: string;
  reminder_templates: string;
  name: string;
  country: string;
}

const SAMPLE = { clinic: "", doctor: "Dr Firstname Lastname", date: "Wednesday, 10 March 2027", time: "14:00", timeZone: "Europe/London", where: "", link: "https://clinic.example/r/AbCdEfGhIjKlMnOpQrStUvWxYz012345", phone: "020 7946 0000" };

function settingsDto(r: SettingsRow) {
  const templates = effectiveReminderTemplates(r.reminder_templates);
  let stored = {};
  try {
    stored = JSON.parse(r.reminder_templates);
  } catch {
    /* {} */
  }
  return {
    rules: parseRules(r.reminder_rules),
    quietHours: { start: fromMin(r.quiet_start_min), end: fromMin(r.quiet_end_min) },
    cancelCutoffMinutes: r.cancel_cutoff_min,
    phone: r.phone,
    country: r.country,
    noReminderTypes: parseStringList(r.no_reminder_types),
    videoTypes: parseStringList(r.video_types),
    jitsiBaseUrl: r.jitsi_base_url,
    templates: { stored, effective: templates },
    // What the SMS costs with a typical clinic/doctor name and link: the editor's length counter.
    smsLength: smsLength(renderSms(templates, { ...SAMPLE, clinic: r.name, where: "Address: 1 High Street" })),
  };
}

const SETTINGS_SQL =
  "SELECT reminder_rules, quiet_start_min, quiet_end_min, cancel_cutoff_min, phone, no_reminder_types, video_types, jitsi_base_url, reminder_templates, name, country FROM clinics WHERE id = ?";

// Middleware is scoped to our own paths: these groups share their prefix with other route groups.
export const reminderSettingsRoutes = new Hono<AppEnv>()
  .use("/reminders", requireSession, csrf)
  .get("/reminders", async (c) => {
    const r = await c.env.DB.prepare(SETTINGS_SQL).bind(c.var.user.clinicId).first<SettingsRow>();
    if (!r) throw notFound("Clinic");
    return c.json({ reminders: settingsDto(r) });
  })
  .put("/reminders", requireRole("admin"), async (c) => {
    const b = await jsonBody(c, RemindersBody);
    if (b.templates) {
      const bad = unknownReminderPlaceholders(b.templates);
      if (bad.length) throw validationError("The template uses placeholders that do not exist.", bad.map((p) => ({ ...p, path: `templates.${p.path}` })));
    }
    const u = c.var.user;
    const sets: string[] = [];
    const vals: unknown[] = [];
    const set = (col: string, v: unknown) => (sets.push(`${col} = ?`), vals.push(v));
    if (b.rules) set("reminder_rules", JSON.stringify(b.rules));
    if (b.quietHours) (set("quiet_start_min", toMin(b.quietHours.start)), set("quiet_end_min", toMin(b.quietHours.end)));
    if (b.cancelCutoffMinutes !== undefined) set("cancel_cutoff_min", b.cancelCutoffMinutes);
    if (b.phone !== undefined) set("phone", b.phone);
    if (b.country !== undefined) set("country", b.country);
    if (b.noReminderTypes) set("no_reminder_types", JSON.stringify(b.noReminderTypes));
    if (b.videoTypes) set("video_types", JSON.stringify(b.videoTypes));
    if (b.jitsiBaseUrl) set("jitsi_base_url", b.jitsiBaseUrl);
    if (b.templates) set("reminder_templates", JSON.stringify(b.templates));
    if (!sets.length) throw validationError("Send at least one field to change.");
    const before = await c.env.DB.prepare(SETTINGS_SQL).bind(u.clinicId).first<SettingsRow>();
    if (!before) throw notFound("Clinic");
    const db = makeDb(c.env.DB);
    const audit = toD1(c.env.DB, auditInsert(db, u.clinicId, actorOf(u), "clinic.reminders.update", "clinic", u.clinicId, { changed: Object.keys(b) }));
    await c.env.DB.batch([
      c.env.DB.prepare(`UPDATE clinics SET ${sets.join(", ")} WHERE id = ?`).bind(...vals, u.clinicId),
      audit,
    ]);
    // Reminders already planned follow the clinic's rules as they are now (re-planned only when
    // what plans them changed: the settings page sends every field on each save).
    const r = await c.env.DB.prepare(SETTINGS_SQL).bind(u.clinicId).first<SettingsRow>();
    const planKey = (x: SettingsRow) => JSON.stringify([parseRules(x.reminder_rules), x.quiet_start_min, x.quiet_end_min, parseStringList(x.no_reminder_types)]);
    if (planKey(before) !== planKey(r!)) await replanClinic(c.env.DB, u.clinicId);
    return c.json({ reminders: settingsDto(r!) });
  });

export const patientConsentRoutes = new Hono<AppEnv>()
  .use("/:id/sms-consent", requireSession, csrf)
  .put("/:id/sms-consent", async (c) => {
    const id = idOf(c.req.param("id"), "Patient");
    const b = await jsonBody(c, z.strictObject({ consent: z.boolean() }));
    const u = c.var.user;
    const now = Date.now();
    const db = makeDb(c.env.DB);
    const exists = await c.env.DB.prepare("SELECT 1 AS x FROM patients WHERE id = ? AND clinic_id = ?").bind(id, u.clinicId).first();
    if (!exists) throw notFound("Patient");
    const audit = toD1(c.env.DB, auditInsert(db, u.clinicId, actorOf(u), "patient.sms_consent", "patient", id, { consent: b.consent }));
    const source = `staff:${u.userId}`;
    if (!b.consent) await c.env.DB.batch([...consentOffStatements(c.env.DB, "?", [id], source, now), audit]);
    else {
      await c.env.DB.batch([
        c.env.DB.prepare("UPDATE patients SET sms_consent = 1, sms_consent_at = ?, sms_consent_source = ? WHERE id = ? AND clinic_id = ?").bind(now, source, id, u.clinicId),
        audit,
      ]);
      // Consent given after booking: the appointments already booked get their SMS reminders too.
      await replanPatients(c.env.DB, u.clinicId, [id], now);
    }
    return c.json({ smsConsent: { consent: b.consent, at: new Date(now).toISOString(), source: `staff:${u.userId}` } });
  });

/** Token auth for a self-hosted Jitsi, when configured: links handed out then carry ?jwt=. */
const jitsiJwt = (env: AppEnv["Bindings"]) => (env.JITSI_APP_ID && env.JITSI_APP_SECRET ? { appId: env.JITSI_APP_ID, secret: env.JITSI_APP_SECRET } : null);

export const appointmentEngagementRoutes = new Hono<AppEnv>()
  .use("/:id/engagement", requireSession, csrf)
  .use("/:id/video", requireSession, csrf)
  .get("/:id/engagement", async (c) => {
    const u = c.var.user;
    const a = await getAppointment(c.env.DB, u.clinicId, idOf(c.req.param("id"), "Appointment"));
    if (!a) throw notFound("Appointment");
    const [rem, resp, video] = await c.env.DB.batch([
      c.env.DB.prepare(
        "SELECT id, channel, offset_minutes, due_at, state, attempts, last_error, sent_at, delivered_at FROM reminders WHERE appointment_id = ? ORDER BY due_at",
      ).bind(a.id),
      c.env.DB.prepare("SELECT action, via, at FROM patient_responses WHERE appointment_id = ? ORDER BY at").bind(a.id),
      c.env.DB.prepare("SELECT provider, url FROM appointment_video WHERE appointment_id = ?").bind(a.id),
    ]);
    const iso = (ms: unknown) => (typeof ms === "number" ? new Date(ms).toISOString() : null);
    const v = video.results[0] as { provider: string; url: string } | undefined;
    const jwt = jitsiJwt(c.env);
    return c.json({
      reminders: (rem.results as Record<string, unknown>[]).map((r) => ({
        id: r.id,
        channel: r.channel,
        offsetMinutes: r.offset_minutes,
        dueAt: iso(r.due_at),
        state: r.state,
        attempts: r.attempts,
        lastError: r.last_error,
        sentAt: iso(r.sent_at),
        deliveredAt: iso(r.delivered_at),
      })),
      responses: (resp.results as { action: string; via: string; at: number }[]).map((r) => ({ action: r.action, via: r.via, at: iso(r.at) })),
      video: v ? { provider: v.provider, joinUrl: await joinUrl(v.url, Date.parse(a.end), jwt) } : null,
    });
  })
  .put("/:id/video", async (c) => {
    const u = c.var.user;
    const a = await getAppointment(c.env.DB, u.clinicId, idOf(c.req.param("id"), "Appointment"));
    if (!a) throw notFound("Appointment");
    if (u.role === "doctor" && u.doctorId !== a.doctorId) throw forbidden("Doctors can only change their own appointments.");
    const b = await jsonBody(c, z.strictObject({ enabled: z.boolean() }));
    const [clinicRes, videoRes] = await c.env.DB.batch([
      c.env.DB.prepare("SELECT jitsi_base_url FROM clinics WHERE id = ?").bind(u.clinicId),
      c.env.DB.prepare("SELECT provider FROM appointment_video WHERE appointment_id = ?").bind(a.id),
    ]);
    const clinic = clinicRes.results[0] as { jitsi_base_url: string } | undefined;
    // A Teams meeting is Outlook's: the doctor's integration makes one for every appointment of a
    // Teams type, so taking it off here would only bring a new meeting (and a new invite) back
    // at the next sync. Refused with what to change instead.
    if (!b.enabled && (videoRes.results[0] as { provider: string } | undefined)?.provider === "teams")
      throw conflict(
        "teams_meeting",
        "This visit's Teams meeting comes from the doctor's Outlook settings (Teams for this appointment type). Change the appointment's type, or the Teams types in the doctor's Outlook settings.",
      );
    const db = makeDb(c.env.DB);
    const audit = toD1(c.env.DB, auditInsert(db, u.clinicId, actorOf(u), b.enabled ? "appointment.video_on" : "appointment.video_off", "appointment", a.id, {}));
    const [, , , , , read] = await c.env.DB.batch([
      ...videoToggleStatements(c.env.DB, a, b.enabled, clinic?.jitsi_base_url, Date.now()),
      audit,
      c.env.DB.prepare("SELECT provider, url FROM appointment_video WHERE appointment_id = ?").bind(a.id),
    ]);
    // The doctor's hub sends the patient's updated invite and re-pushes the synced events.
    await hubFor(c.env, a.doctorId).kick(a.doctorId);
    const v = read.results[0] as { provider: string; url: string } | undefined;
    return c.json({ video: v ? { provider: v.provider, joinUrl: await joinUrl(v.url, Date.parse(a.end), jitsiJwt(c.env)) } : null });
  });
