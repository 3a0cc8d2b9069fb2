// Log-in throttling that slows attackers down without handing them a lock-out button.
//
// Keys (rows of login_attempts):
//   acct:<email>   guesses at one account from clients we do not know
//   ip:<address>   guesses from one client address (IPv6: its /64), any account
//   dev:<id>       guesses through one known-device cookie (see routes/auth.ts)
//   pair:<email>|<network>   guesses at one account from one network (IPv4 address, IPv6
//                  /48), used only while acct:<email> is waiting: an attacker hammering the
//                  account elsewhere cannot keep its owner out of a device they have not used
//                  before (issue #17) — the owner's own network gets its own progressive delay
// Each key has a progressive delay: after `free` counted attempts, attempt n must wait
// base·2^(n-free-1) ms after the previous one, up to `cap`. Nothing is ever "locked for
// 15 minutes"; a key left alone for `resetMs` starts from zero again.
//
// Counting is pessimistic and atomic: an attempt is counted BEFORE its password is
// checked, in one D1 batch (one transaction) that claims a slot on every key or on
// none. 40 parallel wrong guesses therefore get exactly as many password checks as
// the delays allow and the rest a 429; a correct password then gives its slot back
// (forgive). Columns: failures = counted attempts, window_start = when the last one was
// counted, locked_until = when the next one may be checked, attempt = the request that
// claimed the lead key's last slot (gates the follower keys inside the same batch).

export interface KeyPolicy {
  /** Attempts counted without any delay. */
  free: number;
  /** First delay (ms), doubled per further attempt. */
  baseMs: number;
  /** Longest delay (ms). */
  capMs: number;
  /** A key with no attempt for this long starts again from zero. */
  resetMs: number;
}

const HOUR = 3_600_000;
export const POLICIES = {
  // An account: 3 free tries, then 1 s, 2 s, 4 s … up to 5 minutes between guesses.
  acct: { free: 3, baseMs: 1000, capMs: 5 * 60_000, resetMs: HOUR },
  // A client address is often a whole clinic behind one NAT: typos and made-up e-mails
  // of the front desk must not stop their colleagues, so more free tries and a short cap.
  ip: { free: 10, baseMs: 1000, capMs: 60_000, resetMs: HOUR },
  // A known device of the account's owner: its own counter, so an attacker's guesses at
  // the account never slow the owner down; a device cookie used for guessing is slowed
  // (and, once delayed, treated as unknown) like anyone else.
  dev: { free: 5, baseMs: 1000, capMs: 5 * 60_000, resetMs: HOUR },
  // One network's lane at an account that is waiting out its delay: one check at once, then
  // 2 s, 4 s … up to 5 minutes. An attacker with many networks gets a lane per network: the
  // price of never handing anyone a lock-out button (IPv6 lanes are /48 so that one
  // subscriber's 65,536 /64s are one lane, not 65,536).
  pair: { free: 0, baseMs: 2000, capMs: 5 * 60_000, resetMs: HOUR },
} satisfies Record<string, KeyPolicy>;

export type KeyKind = keyof typeof POLICIES;
export interface ThrottleKey {
  kind: KeyKind;
  id: string;
}
const keyName = (k: ThrottleKey) => `${k.kind}:${k.id}`;

/** Delay (ms) after the n-th counted attempt, as a pure function (mirrors delaySql; tested table-driven). */
export function delayAfter(n: number, p: KeyPolicy): number {
  if (n <= p.free) return 0;
  return Math.min(p.capMs, p.baseMs * 2 ** Math.min(n - p.free - 1, 30));
}

/** The same as delayAfter, in SQL over the expression `n` (1 << k is SQLite's integer power of two). */
const delaySql = (n: string, p: KeyPolicy) =>
  `(CASE WHEN ${n} <= ${p.free} THEN 0 ELSE MIN(${p.capMs}, ${p.baseMs} * (1 << MIN(${n} - ${p.free} - 1, 30))) END)`;

/** The attempt count after this one: restarts at 1 when the key was idle for resetMs. ?2 = now. */
const nextCountSql = (p: KeyPolicy) => `(CASE WHEN login_attempts.window_start < ?2 - ${p.resetMs} THEN 1 ELSE login_attempts.failures + 1 END)`;

/** Client address for the ip: key. Cloudflare sets cf-connecting-ip (clients cannot forge it there); an IPv6 client owns a whole /64. */
export function clientKeyOf(ip: string | undefined): string {
  if (!ip) return "local";
  const v = ip.trim().toLowerCase();
  if (!v.includes(":")) return v;
  // Expand "::" and keep the first four groups (the /64 a single subscriber gets).
  const [head, tail = ""] = v.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = v.includes("::") ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t] : h;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/** The network of a client for the pair: lane: the IPv4 address, or the IPv6 /48. */
export function networkKeyOf(ip: string | undefined): string {
  const k = clientKeyOf(ip);
  if (!k.endsWith("::/64")) return k;
  return `${k.slice(0, -"::/64".length).split(":").slice(0, 3).join(":")}::/48`;
}

export type Claim = { ok: true; keys: ThrottleKey[] } | { ok: false; retryAfterMs: number };

/**
 * Counts one attempt on every key, or on none when any key is still waiting out its
 * delay. One D1 batch = one transaction: the lead key's UPSERT decides (its WHERE
 * clauses see every key) and records this request's id; the follower keys are counted
 * only when the lead row carries that id. The last statement reads the wait for a 429.
 */
export async function claimAttempt(db: D1Database, keys: ThrottleKey[], now = Date.now()): Promise<Claim> {
  const [lead, ...rest] = keys;
  const names = keys.map(keyName);
  const rid = crypto.randomUUID();
  const inList = names.map((_, i) => `?${i + 4}`).join(", ");
  const notWaiting = `NOT EXISTS (SELECT 1 FROM login_attempts o WHERE o.key IN (${inList}) AND COALESCE(o.locked_until, 0) > ?2)`;
  const lp = POLICIES[lead.kind];
  const leadStmt = db
    .prepare(
      `INSERT INTO login_attempts (key, failures, window_start, locked_until, attempt)
       SELECT ?1, 1, ?2, ?2 + ${delaySql("1", lp)}, ?3 WHERE ${notWaiting}
       ON CONFLICT(key) DO UPDATE SET
         failures = ${nextCountSql(lp)},
         window_start = ?2,
         locked_until = ?2 + ${delaySql(nextCountSql(lp), lp)},
         attempt = ?3
       WHERE ${notWaiting}
       RETURNING failures`,
    )
    .bind(names[0], now, rid, ...names);
  const gate = "EXISTS (SELECT 1 FROM login_attempts g WHERE g.key = ?3 AND g.attempt = ?4)";
  const followers = rest.map((k) => {
    const p = POLICIES[k.kind];
    return db
      .prepare(
        `INSERT INTO login_attempts (key, failures, window_start, locked_until)
         SELECT ?1, 1, ?2, ?2 + ${delaySql("1", p)} WHERE ${gate}
         ON CONFLICT(key) DO UPDATE SET
           failures = ${nextCountSql(p)},
           window_start = ?2,
           locked_until = ?2 + ${delaySql(nextCountSql(p), p)}
         WHERE ${gate}`,
      )
      .bind(keyName(k), now, names[0], rid);
  });
  const wait = db
    .prepare(`SELECT MAX(COALESCE(locked_until, 0)) AS until FROM login_attempts WHERE key IN (${names.map(() => "?").join(", ")})`)
    .bind(...names);
  const res = await db.batch([leadStmt, ...followers, wait]);
  if (res[0].results.length === 1) return { ok: true, keys };
  const until = (res[res.length - 1].results[0] as { until: number | null } | undefined)?.until ?? now;
  return { ok: false, retryAfterMs: Math.max(1000, until - now) };
}

/**
 * A correct password gives back the slot it claimed: the account and device counters
 * start again from zero (the owner proved themself), the address counter only loses
 * this one attempt (a colleague's success must not wipe an attacker's record there).
 */
export async function forgive(db: D1Database, keys: ThrottleKey[]): Promise<void> {
  await db.batch(
    keys.map((k) => {
      if (k.kind !== "ip") return db.prepare("DELETE FROM login_attempts WHERE key = ?").bind(keyName(k));
      const p = POLICIES[k.kind];
      const n = "MAX(failures - 1, 0)";
      return db
        .prepare(`UPDATE login_attempts SET failures = ${n}, locked_until = window_start + ${delaySql(n, p)} WHERE key = ?`)
        .bind(keyName(k));
    }),
  );
}

/** Rows idle for longer than every reset period carry no information any more; made-up e-mails leave such rows. */
export async function pruneAttempts(db: D1Database, now = Date.now()): Promise<void> {
  const oldest = Math.max(...Object.values(POLICIES).map((p) => p.resetMs + p.capMs));
  await db.prepare("DELETE FROM login_attempts WHERE window_start < ?").bind(now - oldest).run();
}
