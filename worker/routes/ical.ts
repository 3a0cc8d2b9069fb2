// Staff iCalendar endpoints, mounted under /api/appointments next to the core
// appointment routes. Every path here has a fixed second segment
// (/export/ical, /:id/ical, /:id/add-links), so none can be taken for the core
// GET /api/appointments/:id (one segment) whichever group is mounted first.
import { type Context, Hono } from "hono";
import { z } from "zod";
import { APPOINTMENT_STATUSES } from "../db/schema";
import type { AppEnv } from "../env";
import { notFound, validationError } from "../errors";
import { addToCalendarLinks } from "../ics/links";
import { loadAppointment, loadAppointments, loadClinic } from "../ics/data";
import { icsFileName, renderCalendar } from "../ics/render";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { idParam, instant, jsonBody, queryOf } from "../validate";
import { idOf } from "./path-id";
import { invitesOf } from "../email/outbox";
import { DEFAULT_TEMPLATES, effectiveTemplates, TEMPLATE_VARIABLES, TemplatesSchema, unknownPlaceholders } from "../email/templates";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb } from "../db/client";
import { clinics } from "../db/schema";
import { eq } from "drizzle-orm";

/** A range export may span at most this long (one render must stay cheap). */
export const MAX_EXPORT_DAYS = 400;

const Privacy = z.enum(["full", "minimal", "busy"]);

const ExportQuery = z.strictObject({
  from: instant,
  to: instant,
  doctorId: idParam.optional(),
  status: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(APPOINTMENT_STATUSES)).min(1))
    .optional(),
  privacy: Privacy.optional(),
});

const OneQuery = z.strictObject({ privacy: Privacy.optional() });

/** /:id/ical and /:id/add-links: the clinic and one of its appointments (404 otherwise) and the requested privacy, if any. */
async function oneAppointment(c: Context<AppEnv>) {
  const id = idOf(c.req.param("id"), "Appointment");
  const q = queryOf(c, OneQuery);
  const clinicId = c.var.user.clinicId;
  const [clinic, appt] = await Promise.all([loadClinic(c.env.DB, clinicId), loadAppointment(c.env.DB, clinicId, id)]);
  if (!clinic || !appt) throw notFound("Appointment");
  return { clinic, appt, privacy: q.privacy };
}

export function icsResponse(body: string, fileName: string): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/calendar; charset=utf-8",
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
    },
  });
}

export const icalRoutes = new Hono<AppEnv>()
  // Scoped to our own paths: this group shares the /api/appointments prefix with the core routes.
  .use("/export/ical", requireSession, csrf)
  .use("/:id/ical", requireSession, csrf)
  .use("/:id/add-links", requireSession, csrf)
  .use("/:id/invites", requireSession, csrf)
  // Range export for staff. Default privacy "full": staff see names in ACMS anyway.
  .get("/export/ical", async (c) => {
    const q = queryOf(c, ExportQuery);
    if (q.to <= q.from) throw validationError("The query has invalid parameters.", [{ path: "to", message: "must be after from" }]);
    if (q.to - q.from > MAX_EXPORT_DAYS * 86400_000)
      throw validationError("The query has invalid parameters.", [{ path: "to", message: `range is limited to ${MAX_EXPORT_DAYS} days` }]);
    const u = c.var.user;
    const clinic = await loadClinic(c.env.DB, u.clinicId);
    if (!clinic) throw notFound("Clinic");
    const appointments = await loadAppointments(c.env.DB, {
      clinicId: u.clinicId,
      fromMs: q.from,
      toMs: q.to,
      doctorId: q.doctorId,
      statuses: q.status,
    });
    const body = renderCalendar({
      clinic,
      appointments,
      privacy: q.privacy ?? "full",
      appUrl: c.env.APP_URL,
      calendarName: clinic.name,
    });
    return icsResponse(body, icsFileName("appointments", q.from, undefined, clinic.timeZone));
  })
  .get("/:id/ical", async (c) => {
    const { clinic, appt, privacy } = await oneAppointment(c);
    const body = renderCalendar({ clinic, appointments: [appt], privacy: privacy ?? "full", appUrl: c.env.APP_URL });
    return icsResponse(body, icsFileName("appointment", appt.startMs, appt.id, clinic.timeZone));
  })
  // "Add to calendar" options. Default privacy "busy": the links leave ACMS
  // (Google/Outlook), so they carry names only when staff choose ?privacy=full.
  .get("/:id/add-links", async (c) => {
    const { clinic, appt, privacy } = await oneAppointment(c);
    return c.json({ links: addToCalendarLinks({ clinic, appointment: appt, privacy: privacy ?? "busy", appUrl: c.env.APP_URL }) });
  });

// Invite e-mails of one appointment and their delivery state (pending/sent/failed,
// attempts, last error): how staff see that a patient was or was not notified.
icalRoutes.get("/:id/invites", async (c) => {
  const id = idOf(c.req.param("id"), "Appointment");
  const u = c.var.user;
  const appt = await loadAppointment(c.env.DB, u.clinicId, id);
  if (!appt) throw notFound("Appointment");
  return c.json({ invites: await invitesOf(c.env.DB, u.clinicId, id) });
});

// Per-clinic invite templates, mounted at /api/clinic/email-templates.
// GET (any staff) → { templates (effective), stored, defaults, variables }; PUT (admin) stores
// a partial override; fields left out fall back to the defaults; {} resets.
export const clinicEmailRoutes = new Hono<AppEnv>()
  .use("/email-templates", requireSession, csrf)
  .get("/email-templates", async (c) => {
    const clinic = await loadClinic(c.env.DB, c.var.user.clinicId);
    if (!clinic) throw notFound("Clinic");
    let stored: unknown = {};
    try {
      stored = JSON.parse(clinic.emailTemplates);
    } catch {
      stored = {};
    }
    return c.json({ templates: effectiveTemplates(clinic.emailTemplates), stored, defaults: DEFAULT_TEMPLATES, variables: TEMPLATE_VARIABLES });
  })
  .put("/email-templates", requireRole("admin"), async (c) => {
    const body = await jsonBody(c, TemplatesSchema);
    const problems = unknownPlaceholders(body);
    if (problems.length) throw validationError("The templates use unknown placeholders.", problems);
    const u = c.var.user;
    const db = makeDb(c.env.DB);
    const json = JSON.stringify(body);
    await db.batch([
      db.update(clinics).set({ emailTemplates: json }).where(eq(clinics.id, u.clinicId)),
      auditInsert(db, u.clinicId, actorOf(u), "clinic.email_templates", "clinic", u.clinicId, { after: body }),
    ]);
    return c.json({ templates: effectiveTemplates(json), stored: body, defaults: DEFAULT_TEMPLATES, variables: TEMPLATE_VARIABLES });
  });
