// First run: while the database holds no clinic, anyone who reaches the app may create the
// clinic and its first admin (GET says whether that is still possible; POST does it). Once a
// clinic exists the endpoint refuses for good, so the setup page can never be used again.
//
// Atomic without a lock: the clinic INSERT is guarded by `WHERE NOT EXISTS (SELECT 1 FROM
// clinics)` and the admin/audit INSERTs by "our clinic row exists", all in one D1 batch (one
// SQLite transaction; D1 runs a database's writes one at a time). Two racing setups therefore
// make exactly one clinic: the loser's clinic insert changes 0 rows, so do its user and audit
// inserts, and it answers 409 setup_done.
//
// No session is created here: the page logs in through POST /api/auth/login with the same
// credentials, so log-in stays the one place that issues sessions (and counts failures).
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { hashPassword } from "../auth/passwords";
import { conflict } from "../errors";
import { newId } from "../ids";
import { csrf } from "../middleware/session";
import { isValidTimeZone } from "../scheduling/zone";
import { jsonBody } from "../validate";
import { email, name, password } from "./users";

const SetupBody = z.strictObject({
  clinic: z.strictObject({
    name,
    timeZone: z.string().max(64).refine(isValidTimeZone, "must be an IANA time zone, e.g. Europe/London"),
    address: z.string().trim().max(500).optional(),
  }),
  admin: z.strictObject({ name, email, password }),
});

export async function setupNeeded(db: D1Database): Promise<boolean> {
  return !(await db.prepare("SELECT 1 AS x FROM clinics LIMIT 1").first());
}

const setupDone = () => conflict("setup_done", "This server already has a clinic. Log in instead; an admin adds staff in the app.");

export const setupRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ needed: await setupNeeded(c.env.DB) }))
  .post("/", csrf, async (c) => {
    // Cheap refusal first: once set up, no body parsing or password hashing for anyone.
    if (!(await setupNeeded(c.env.DB))) throw setupDone();
    const b = await jsonBody(c, SetupBody);
    const now = Date.now();
    const clinicId = newId();
    const userId = newId();
    const hash = await hashPassword(b.admin.password);
    const db = c.env.DB;
    const mine = "EXISTS (SELECT 1 FROM clinics WHERE id = ?1)";
    const [clinicRes] = await db.batch([
      db
        .prepare(
          `INSERT INTO clinics (id, name, time_zone, address, created_at)
           SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM clinics)`,
        )
        .bind(clinicId, b.clinic.name, b.clinic.timeZone, b.clinic.address ?? "", now),
      db
        .prepare(
          `INSERT INTO users (id, clinic_id, email, name, password_hash, role, disabled, created_at, updated_at)
           SELECT ?2, ?1, ?3, ?4, ?5, 'admin', 0, ?6, ?6 WHERE ${mine}`,
        )
        .bind(clinicId, userId, b.admin.email, b.admin.name, hash, now),
      db
        .prepare(
          `INSERT INTO audit_log (clinic_id, actor_user_id, actor_label, action, entity_type, entity_id, summary, at)
           SELECT ?1, ?2, ?3, 'clinic.setup', 'clinic', ?1, ?4, ?5 WHERE ${mine}`,
        )
        .bind(clinicId, userId, b.admin.email, JSON.stringify({ after: { name: b.clinic.name, timeZone: b.clinic.timeZone, admin: b.admin.email } }), now),
    ]);
    if (!clinicRes.meta.changes) throw setupDone();
    return c.json(
      {
        clinic: { id: clinicId, name: b.clinic.name, timeZone: b.clinic.timeZone, address: b.clinic.address ?? "" },
        user: { id: userId, email: b.admin.email, name: b.admin.name, role: "admin" as const },
      },
      201,
    );
  });
