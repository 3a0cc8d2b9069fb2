// GET/POST /r/<token>: the patient's one-tap confirm/cancel page (no session). The token in the
// path is the capability; a malformed, unknown or expired one gets the same "not valid" page
// with the same status (404), and every request is rate-limited per client IP.
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env";
import { clinicDateTime } from "../email/templates";
import { getAppointment } from "../appointments/queries";
import { clinicContact, mayCancel, patientAction } from "../patient-links/actions";
import { resolvePatientLink, sameVisitHolder } from "../patient-links/links";
import { appointmentPage, invalidLinkPage, tooManyRequestsPage } from "../patient-links/page";
import { allowRequest } from "../patient-links/rate-limit";
import { clientKeyOf } from "../auth/throttle";
import { joinUrl } from "../video/jitsi";
import { rescheduleRefusal, rescheduleRules } from "../patient-links/reschedule";
import { renderChoices, rescheduleAction } from "../patient-links/reschedule-page";
import { npsFormPost, patientNpsBlock } from "../analytics/nps-page";

export const PAGE_LIMIT = 30; // requests per client IP per window
export const PAGE_WINDOW_MS = 10 * 60_000;

export const patientPageRoutes = new Hono<AppEnv>();

export const patientPageHeaders: Record<string, string> = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const headers = patientPageHeaders;

patientPageRoutes.use("/:token", async (c, next) => {
  // An IPv6 subscriber owns a whole /64: counting full addresses would give one phone 2^64 budgets.
  const ip = clientKeyOf(c.req.header("cf-connecting-ip"));
  if (!(await allowRequest(c.env.DB, `r:${ip}`, PAGE_LIMIT, PAGE_WINDOW_MS))) return c.html(tooManyRequestsPage(), 429, { ...headers, "retry-after": "600" });
  await next();
});

async function render(c: Context<AppEnv>, message: { kind: "good" | "bad"; text: string } | null) {
  const link = await resolvePatientLink(c.env.DB, c.req.param("token") ?? "", Date.now(), c.env.SESSION_SECRET);
  if (!link) return c.html(invalidLinkPage(), 404, headers);
  const [read, clinic, extra, rules] = await Promise.all([
    getAppointment(c.env.DB, link.clinicId, link.appointmentId),
    clinicContact(c.env.DB, link.clinicId),
    c.env.DB.prepare(
      "SELECT d.name AS doctor, c.address, v.url AS video FROM appointments a JOIN doctors d ON d.id = a.doctor_id JOIN clinics c ON c.id = a.clinic_id " +
        "LEFT JOIN appointment_video v ON v.appointment_id = a.id WHERE a.id = ?",
    )
      .bind(link.appointmentId)
      .first<{ doctor: string; address: string; video: string | null }>(),
    rescheduleRules(c.env.DB, link.clinicId),
  ]);
  const a = sameVisitHolder(read, link.patientId);
  if (!a || !clinic || !extra) return c.html(invalidLinkPage(), 404, headers);
  const now = Date.now();
  // The NPS follow-up's link opens the question only (worker/patient-links/links.ts).
  const open = !link.npsOnly && (a.status === "scheduled" || a.status === "confirmed") && Date.parse(a.start) > now;
  const cancelOk = open && mayCancel(a, clinic.cancelCutoffMin, now);
  const { date, time } = clinicDateTime(Date.parse(a.start), clinic.timeZone);
  const mayMove = open && !(await rescheduleRefusal(c.env.DB, a, clinic, rules, now));
  const jwt = c.env.JITSI_APP_ID && c.env.JITSI_APP_SECRET ? { appId: c.env.JITSI_APP_ID, secret: c.env.JITSI_APP_SECRET } : null;
  return c.html(
    appointmentPage(
      {
        clinic: clinic.name,
        doctor: extra.doctor,
        date,
        time,
        timeZone: clinic.timeZone,
        address: extra.address,
        videoUrl: extra.video ? await joinUrl(extra.video, Date.parse(a.end), jwt) : null,
        phone: clinic.phone,
        status: a.status,
        canConfirm: open && a.status === "scheduled",
        canCancel: cancelOk,
        rescheduleHref: mayMove ? `/r/${c.req.param("token")}?choose=1` : null,
        cutoffNote: open && !cancelOk ? `It is too late to cancel online${clinic.phone ? `: please call ${clinic.phone}` : ": please call the clinic"}.` : null,
        extraHtml: await patientNpsBlock(c.env.DB, a, clinic.name),
      },
      message,
    ),
    200,
    headers,
  );
}

patientPageRoutes.get("/:token", async (c) => {
  if (!c.req.query("choose")) return render(c, null);
  const link = await resolvePatientLink(c.env.DB, c.req.param("token"), Date.now(), c.env.SESSION_SECRET);
  return link ? renderChoices(c, link, headers, null, render) : c.html(invalidLinkPage(), 404, headers);
});

patientPageRoutes.post("/:token", async (c) => {
  const link = await resolvePatientLink(c.env.DB, c.req.param("token"), Date.now(), c.env.SESSION_SECRET);
  if (!link) return c.html(invalidLinkPage(), 404, headers);
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  if (form.action === "nps") return render(c, await npsFormPost(c.env.DB, link, form));
  if (link.npsOnly) return render(c, { kind: "bad", text: "This link is for your feedback only: please call the clinic about your appointments." });
  if (form.action === "reschedule") return rescheduleAction(c, link, form.start, headers, render);
  const action = form.action === "confirm" || form.action === "cancel" ? form.action : null;
  if (!action) return render(c, { kind: "bad", text: "Choose Confirm or Cancel." });
  const r = await patientAction(c.env, link, action, "link");
  return render(c, r.ok ? { kind: "good", text: action === "confirm" ? "Thank you: your appointment is confirmed." : "Your appointment is cancelled." } : { kind: "bad", text: r.message });
});
