// The caller's clinic: every staff member reads it (the SPA needs its time zone);
// an admin may edit its name, address, time zone and reminder defaults. Changing the zone keeps
// every appointment at its instant and re-reads working hours (wall-clock times) in the new zone:
// the fix for a clinic set up with the wrong zone, so the settings page warns before saving it.
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { actorOf, auditInsert } from "../db/audit";
import { changed } from "../db/audit-diff";
import { makeDb } from "../db/client";
import { clinics } from "../db/schema";
import { notFound } from "../errors";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { isValidTimeZone } from "../scheduling/zone";
import { jsonBody } from "../validate";

type ClinicRow = typeof clinics.$inferSelect;
const clinicDto = (c: ClinicRow) => ({
  id: c.id,
  name: c.name,
  timeZone: c.timeZone,
  address: c.address,
  domain: c.domain,
  reminderMinutes: parseReminders(c.reminderMinutes),
});

/** Reminder offsets (minutes before the start) for invitations' alarms: up to 5, at most 4 weeks. */
const reminderMinutes = z
  .array(z.number().int().min(0).max(40_320))
  .max(5)
  .refine((l) => new Set(l).size === l.length, "each reminder only once");

function parseReminders(json: string): number[] {
  try {
    const r = reminderMinutes.safeParse(JSON.parse(json));
    return r.success ? r.data : [];
  } catch {
    return [];
  }
}

const PatchBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    address: z.string().trim().max(500).optional(),
    timeZone: z.string().max(64).refine(isValidTimeZone, "must be an IANA time zone, e.g. Europe/London").optional(),
    reminderMinutes: reminderMinutes.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "send at least one field to change");

export const clinicRoutes = new Hono<AppEnv>()
  .use("*", requireSession, csrf)
  .get("/", async (c) => {
    const db = makeDb(c.env.DB);
    const row = await db.query.clinics.findFirst({ where: eq(clinics.id, c.var.user.clinicId) });
    if (!row) throw notFound("Clinic");
    return c.json({ clinic: clinicDto(row) });
  })
  .patch("/", requireRole("admin"), async (c) => {
    const b = await jsonBody(c, PatchBody);
    const u = c.var.user;
    const db = makeDb(c.env.DB);
    const before = await db.query.clinics.findFirst({ where: eq(clinics.id, u.clinicId) });
    if (!before) throw notFound("Clinic");
    const set: Partial<ClinicRow> = {};
    if (b.name !== undefined) set.name = b.name;
    if (b.address !== undefined) set.address = b.address;
    if (b.timeZone !== undefined) set.timeZone = b.timeZone;
    if (b.reminderMinutes !== undefined) set.reminderMinutes = JSON.stringify([...b.reminderMinutes].sort((x, y) => y - x));
    const after = { ...before, ...set };
    await db.batch([
      db.update(clinics).set(set).where(eq(clinics.id, u.clinicId)),
      auditInsert(db, u.clinicId, actorOf(u), "clinic.update", "clinic", u.clinicId, changed(clinicDto(before), clinicDto(after))),
    ]);
    return c.json({ clinic: clinicDto(after) });
  });
