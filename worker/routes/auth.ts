// Log-in, log-out and "who am I".
// Failed log-ins are counted per account and per client IP; after too many in a
// window the key is locked for a while and the answer says so (429 + Retry-After).
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnv, SessionUser } from "../env";
import { SESSION_COOKIE, SESSION_TTL_SECONDS, signSession } from "../auth/session";
import { verifyPassword } from "../auth/passwords";
import { ApiError, unauthorized } from "../errors";
import { jsonBody } from "../validate";
import { csrf, requireSession } from "../middleware/session";

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;

const LoginBody = z.strictObject({
  email: z.string().trim().toLowerCase().email("must be an e-mail address").max(254),
  password: z.string().min(1, "is required").max(1024),
});

interface AttemptRow {
  key: string;
  failures: number;
  window_start: number;
  locked_until: number | null;
}

async function lockedUntil(db: D1Database, keys: string[], now: number): Promise<number | null> {
  const rows = await db
    .prepare(`SELECT * FROM login_attempts WHERE key IN (${keys.map(() => "?").join(",")})`)
    .bind(...keys)
    .all<AttemptRow>();
  const until = Math.max(0, ...rows.results.map((r) => r.locked_until ?? 0));
  return until > now ? until : null;
}

async function recordFailure(db: D1Database, keys: string[], now: number) {
  // Upsert each key: reset the window when it has passed; lock when the count reaches the limit.
  await db.batch(
    keys.map((k) =>
      db
        .prepare(
          `INSERT INTO login_attempts (key, failures, window_start, locked_until) VALUES (?1, 1, ?2, NULL)
           ON CONFLICT(key) DO UPDATE SET
             failures = CASE WHEN window_start < ?2 - ?3 THEN 1 ELSE failures + 1 END,
             window_start = CASE WHEN window_start < ?2 - ?3 THEN ?2 ELSE window_start END,
             locked_until = CASE WHEN (CASE WHEN window_start < ?2 - ?3 THEN 1 ELSE failures + 1 END) >= ?4
                                 THEN ?2 + ?5 ELSE locked_until END`,
        )
        .bind(k, now, WINDOW_MS, MAX_FAILURES, LOCK_MS),
    ),
  );
}

export const authRoutes = new Hono<AppEnv>()
  .post("/login", csrf, async (c) => {
    const body = await jsonBody(c, LoginBody);
    const ip = c.req.header("cf-connecting-ip") ?? c.req.header("x-forwarded-for")?.split(",")[0]?.trim() ?? "local";
    const keys = [`acct:${body.email}`, `ip:${ip}`];
    const now = Date.now();
    const locked = await lockedUntil(c.env.DB, keys, now);
    if (locked) {
      const secs = Math.ceil((locked - now) / 1000);
      c.header("Retry-After", String(secs));
      throw new ApiError(429, "locked_out", `Too many failed log-ins. Try again in ${Math.ceil(secs / 60)} minute(s).`, {
        retryAfterSeconds: secs,
      });
    }
    const row = await c.env.DB.prepare(
      `SELECT u.id, u.clinic_id, u.email, u.name, u.role, u.password_hash, u.disabled, d.id AS doctor_id
       FROM users u LEFT JOIN doctors d ON d.user_id = u.id WHERE u.email = ?`,
    )
      .bind(body.email)
      .first<{
        id: string;
        clinic_id: string;
        email: string;
        name: string;
        role: SessionUser["role"];
        password_hash: string;
        disabled: number;
        doctor_id: string | null;
      }>();
    // Verify against a dummy hash when the user is unknown so timing does not reveal which e-mails exist.
    const ok = await verifyPassword(body.password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok || row.disabled) {
      await recordFailure(c.env.DB, keys, now);
      if (row?.disabled && ok) throw unauthorized("This account is disabled. Ask your clinic's admin.");
      throw unauthorized("E-mail or password is wrong.");
    }
    await c.env.DB.prepare(`DELETE FROM login_attempts WHERE key = ?`).bind(keys[0]).run();
    const user: SessionUser = {
      userId: row.id,
      clinicId: row.clinic_id,
      role: row.role,
      email: row.email,
      name: row.name,
      doctorId: row.doctor_id,
    };
    const token = await signSession(user, c.env.SESSION_SECRET);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
      path: "/",
      maxAge: SESSION_TTL_SECONDS,
    });
    return c.json({ user, token });
  })
  .post("/logout", csrf, (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.json({ ok: true });
  })
  .get("/me", requireSession, (c) => c.json({ user: c.var.user }));

// A valid hash of a random password, computed once per isolate at first use.
const DUMMY_HASH = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
