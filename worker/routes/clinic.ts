// The caller's clinic: every staff member reads it (the SPA needs its time zone);
// an admin may edit its name and address. The time zone is fixed after creation:
// working hours and the calendar grid are wall-clock times in it.
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
import { jsonBody } from "../validate";

type ClinicRow = typeof clinics.$inferSelect;
const clinicDto = (c: ClinicRow) => ({ id: c.id, name: c.name, timeZone: c.timeZone, address: c.address, domain: c.domain });

const PatchBody = z
  .strictObject({ name: z.string().trim().min(1).max(200).optional(), address: z.string().trim().max(500).optional() })
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
    const after = { ...before, ...b };
    await db.batch([
      db.update(clinics).set(b).where(eq(clinics.id, u.clinicId)),
      auditInsert(db, u.clinicId, actorOf(u), "clinic.update", "clinic", u.clinicId, changed(clinicDto(before), clinicDto(after))),
    ]);
    return c.json({ clinic: clinicDto(after) });
  });
