// The Hono app: route groups mounted under /api, one error handler that turns
// every failure into { error: { code, message, details? } }, and a JSON 404 for /api.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env";
import { ApiError, errorBody } from "./errors";
import { authRoutes } from "./routes/auth";
import { feedAdminRoutes, feedPublicRoutes } from "./routes/feeds";
import { clinicEmailRoutes, icalRoutes } from "./routes/ical";
import { importRoutes } from "./routes/imports";
import { apiRoutes } from "./routes/index";
import { appointmentEngagementRoutes, patientConsentRoutes, reminderSettingsRoutes } from "./routes/engagement";
import { patientPageRoutes } from "./routes/patient-page";
import { waitlistPageRoutes } from "./routes/waitlist-page";
import { waitlistRoutes } from "./routes/waitlist";
import { waitlistSettingsRoutes } from "./routes/waitlist-settings";
import { twilioWebhookRoutes } from "./routes/twilio-webhooks";
import { microsoftIntegrationRoutes } from "./routes/integrations-microsoft";
import { microsoftWebhookRoutes } from "./routes/webhooks-microsoft";

export const MAX_BODY_BYTES = 256 * 1024;

export const app = new Hono<AppEnv>();

app.use("/api/*", async (c, next) => {
  c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
  await next();
  // API answers carry PHI for staff: never let a shared cache keep them.
  if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
});

// .ics imports have their own, larger limit (worker/routes/imports.ts IMPORT_MAX_BYTES).
const apiBodyLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => c.json(errorBody("payload_too_large", `The request body is over ${MAX_BODY_BYTES / 1024} KiB.`), 413),
});
app.use("/api/*", (c, next) => (/^\/api\/doctors\/[^/]+\/import\/ics$/.test(c.req.path) ? next() : apiBodyLimit(c, next)));

app.route("/api/auth", authRoutes);
// iCalendar groups (fixed second path segments, so they cannot shadow /api/appointments/:id).
app.route("/api/appointments", icalRoutes);
app.route("/api/doctors", feedAdminRoutes);
app.route("/api/doctors", importRoutes);
app.route("/api/clinic", clinicEmailRoutes);
// Patient engagement (issue #13): reminder settings, SMS consent, reminders/video per appointment, Twilio webhooks.
app.route("/api/clinic", reminderSettingsRoutes);
app.route("/api/patients", patientConsentRoutes);
app.route("/api/appointments", appointmentEngagementRoutes);
app.route("/api/webhooks/twilio", twilioWebhookRoutes);
app.route("/api/waitlist/settings", waitlistSettingsRoutes);
app.route("/api/waitlist", waitlistRoutes);
// Outlook connect + Graph webhooks (mounted before /api so /api/integrations' middleware does not run twice).
app.route("/api/integrations/microsoft", microsoftIntegrationRoutes);
app.route("/api/webhooks/microsoft", microsoftWebhookRoutes);
app.route("/api", apiRoutes);
// Public subscribable feeds: no session, token in the path.
app.route("/feeds", feedPublicRoutes);
// The patient's one-tap confirm/cancel page: no session, the token in the path is the capability.
app.route("/r", patientPageRoutes);
app.route("/w", waitlistPageRoutes);

app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`), 404));

app.onError((err, c) => {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.details), err.status);
  if (err instanceof HTTPException) {
    const status = err.status;
    return c.json(errorBody(status === 401 ? "unauthorized" : "bad_request", err.message || "Bad request."), status);
  }
  console.error("unhandled error", c.var.requestId, err);
  return c.json(errorBody("internal", "Something went wrong on our side. Nothing was changed."), 500);
});

export type App = typeof app;
