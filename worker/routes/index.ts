// Every /api route group except auth. Each group is its own module.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { analyticsRoutes } from "./analytics";
import { appointmentRoutes } from "./appointments";
import { auditRoutes } from "./audit";
import { availabilityRoutes } from "./availability";
import { blockedTimeRoutes } from "./blocked-times";
import { clinicRoutes } from "./clinic";
import { doctorRoutes } from "./doctors";
import { adminIntegrationRoutes, integrationRoutes } from "./integrations";
import { caldavIntegrationRoutes } from "./integrations-caldav";
import { providerStatusRoutes } from "./integration-providers";
import { liveRoutes } from "./live";
import { noticeRoutes } from "./notices";
import { npsRoutes } from "./nps";
import { patientRoutes } from "./patients";
import { setupRoutes } from "./setup";
import { suggestionRoutes } from "../suggestions/routes";
import { userRoutes } from "./users";
import { webhookRoutes } from "./webhooks";

export const apiRoutes = new Hono<AppEnv>();

apiRoutes.route("/clinic", clinicRoutes);
// First run only (no session): create the clinic and its first admin; refused once a clinic exists.
apiRoutes.route("/setup", setupRoutes);
apiRoutes.route("/doctors", doctorRoutes);
apiRoutes.route("/patients", patientRoutes);
apiRoutes.route("/users", userRoutes);
apiRoutes.route("/audit", auditRoutes);
apiRoutes.route("/appointments", appointmentRoutes);
apiRoutes.route("/analytics", analyticsRoutes);
apiRoutes.route("/nps", npsRoutes);
apiRoutes.route("/availability", availabilityRoutes);
apiRoutes.route("/blocked-times", blockedTimeRoutes);
apiRoutes.route("/live", liveRoutes);
apiRoutes.route("/notices", noticeRoutes);
// Scheduling suggestions (issue #21): no-show risk, ranked free slots, free-text requests.
apiRoutes.route("/suggestions", suggestionRoutes);
apiRoutes.route("/integrations/caldav", caldavIntegrationRoutes);
apiRoutes.route("/integrations/providers", providerStatusRoutes);
apiRoutes.route("/integrations", integrationRoutes);
apiRoutes.route("/admin/integrations", adminIntegrationRoutes);
// Provider push notifications: no session; each request is verified against the channel we registered.
apiRoutes.route("/webhooks", webhookRoutes);
