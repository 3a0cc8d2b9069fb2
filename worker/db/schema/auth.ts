// Log-in throttling and single-session log-out (worker/auth/).
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Failed log-in counters for rate limiting, keyed "acct:<email>" or "ip:<address>".
export const loginAttempts = sqliteTable(
  "login_attempts",
  {
    key: text("key").primaryKey(),
    failures: integer("failures").notNull().default(0),
    windowStart: integer("window_start").notNull(),
    lockedUntil: integer("locked_until"),
    // migrations/0004: progressive delays; see worker/auth/throttle.ts for the column meanings.
    attempt: text("attempt"),
  },
  // migrations/0004: the sweep of stale counters (throttle.ts) deletes by window_start.
  (t) => [index("login_attempts_window_idx").on(t.windowStart)],
);

// Single sessions ended by log-out, until their token would have expired (migrations/0004).
export const revokedSessions = sqliteTable(
  "revoked_sessions",
  {
    jti: text("jti").primaryKey(),
    userId: text("user_id").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("revoked_sessions_exp_idx").on(t.expiresAt)],
);
