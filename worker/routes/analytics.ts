// Analytics for the clinic owner (issue #19; docs/analytics.md).
//   GET  /api/analytics/options            doctors and types the caller may filter by, allowed sections
//   GET  /api/analytics/:section           busiest | no-shows | repeat-no-shows | reduction | utilization | kpis | nps | waitlist
//                                          ?from=YYYY-MM&to=YYYY-MM&doctor=<id>&type=<name>&video=0|1
//   GET  /api/analytics/:section/csv       the section's tables as CSV (audited: analytics.csv)
//   POST /api/analytics/rebuild[?after=<id>] admin: recompute facts and rollups from the appointments,
//                                          10,000 appointments per call; repeat with `next` until it is null
// Roles per section: worker/analytics/scope.ts.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { rebuildStep } from "../analytics/rebuild";
import { z } from "zod";
import { clinicInfo, csvAudit, currentMonth, SECTIONS } from "../analytics/sections";
import { SECTION_ROLES, ScopeQuery, scopeOf, type Section } from "../analytics/scope";
import { toCsv } from "../analytics/tables";
import { parseAppointmentTypes } from "../doctors/fields";
import { queryOf } from "../validate";
import { addMonths } from "../analytics/period";
import { meteredD1 } from "../analytics/d1-meter";

const RebuildQuery = z.strictObject({ after: z.string().regex(/^[0-9a-f]{32}$/, "must be an appointment id").optional() });

const isSection = (s: string): s is Section => Object.hasOwn(SECTIONS, s);

export const analyticsRoutes = new Hono<AppEnv>()
  .use("*", requireSession, csrf)
  .get("/options", async (c) => {
    const u = c.var.user;
    const clinic = await clinicInfo(c.env.DB, u.clinicId);
    const docs = (
      await c.env.DB.prepare("SELECT id, name, appointment_types, active FROM doctors WHERE clinic_id = ? ORDER BY name")
        .bind(u.clinicId)
        .all<{ id: string; name: string; appointment_types: string; active: number }>()
    ).results.filter((d) => u.role !== "doctor" || d.id === u.doctorId);
    const types = [...new Set(docs.flatMap((d) => parseAppointmentTypes(d.appointment_types).map((t) => t.name)))].sort();
    const to = currentMonth(clinic);
    return c.json({
      role: u.role,
      sections: (Object.keys(SECTION_ROLES) as Section[]).filter((s) => SECTION_ROLES[s].includes(u.role)),
      doctors: docs.filter((d) => d.active || u.role === "admin").map((d) => ({ id: d.id, name: d.name })),
      types,
      defaultPeriod: { from: addMonths(to, -2), to },
      timeZone: clinic.timeZone,
    });
  })
  .post("/rebuild", requireRole("admin"), async (c) => {
    const { after } = queryOf(c, RebuildQuery);
    return c.json(await rebuildStep(c.env.DB, c.var.user.clinicId, after ?? ""));
  })
  .get("/:section/csv", async (c) => {
    const section = c.req.param("section");
    if (!isSection(section)) throw notFound("Analytics section");
    const clinic = await clinicInfo(c.env.DB, c.var.user.clinicId);
    const scope = scopeOf(c.var.user, section, queryOf(c, ScopeQuery), currentMonth(clinic));
    const result = await SECTIONS[section](c.env.DB, scope, clinic);
    await csvAudit(c.env.DB, c.var.user, section, scope);
    const name = `analytics-${section}-${scope.period.from}-to-${scope.period.to}.csv`;
    return c.body(toCsv(result.tables), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    });
  })
  .get("/:section", async (c) => {
    const section = c.req.param("section");
    if (!isSection(section)) throw notFound("Analytics section");
    const meter = meteredD1(c.env.DB);
    const clinic = await clinicInfo(meter.db, c.var.user.clinicId);
    const scope = scopeOf(c.var.user, section, queryOf(c, ScopeQuery), currentMonth(clinic));
    const result = await SECTIONS[section](meter.db, scope, clinic);
    c.header("cache-control", "no-store");
    // What this answer cost in D1 (the bench reads it; cheap to keep for anyone watching).
    c.header("x-d1-rows-read", String(meter.rowsRead()));
    return c.json({ period: scope.period, filter: scope.filter, ...result });
  });
