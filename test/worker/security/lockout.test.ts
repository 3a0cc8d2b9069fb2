// Log-in throttling that cannot be used as a weapon (issue #8): an attacker's wrong
// guesses never keep the owner out of a device they logged in from before; made-up
// e-mails behind a clinic's one address do not stop the front desk; parallel guesses
// are counted exactly (each checked guess is one count, the rest get 429 unchecked).
import { describe, expect, it } from "vitest";
import { clientKeyOf, delayAfter, networkKeyOf, POLICIES } from "../../../worker/auth/throttle";
import { anon, env, login, makeClinic, ORIGIN, TEST_PASSWORD, worker } from "../../helpers";

const uniqIp = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 8)}`;

/** A browser log-in that sends (and can collect) cookies. */
async function browserLogin(email: string, password: string, ip: string, cookies: string[] = []) {
  const res = await anon.post("/api/auth/login", { email, password }, { "cf-connecting-ip": ip, ...(cookies.length ? { cookie: cookies.join("; ") } : {}) });
  const set = res.headers.getSetCookie().map((c) => c.split(";")[0]);
  return { res, body: await res.json<any>(), set };
}

const counter = (key: string) =>
  env.DB.prepare("SELECT failures, locked_until FROM login_attempts WHERE key = ?").bind(key).first<{ failures: number; locked_until: number }>();

describe("delays are progressive, not a lock", () => {
  it.each([
    [1, POLICIES.acct, 0],
    [3, POLICIES.acct, 0],
    [4, POLICIES.acct, 1000],
    [5, POLICIES.acct, 2000],
    [8, POLICIES.acct, 16_000],
    [12, POLICIES.acct, 256_000],
    [13, POLICIES.acct, 300_000],
    [1000, POLICIES.acct, 300_000],
    [10, POLICIES.ip, 0],
    [11, POLICIES.ip, 1000],
    [17, POLICIES.ip, 60_000],
    [5, POLICIES.dev, 0],
    [6, POLICIES.dev, 1000],
    [1, POLICIES.pair, 2000],
    [2, POLICIES.pair, 4000],
    [9, POLICIES.pair, 300_000],
  ])("after attempt %i the wait is %o → %i ms", (n, p, ms) => {
    expect(delayAfter(n, p)).toBe(ms);
  });

  it.each([
    ["203.0.113.9", "203.0.113.9"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::99", "2001:db8:1:2::/64"],
    ["2001:DB8::1", "2001:db8:0:0::/64"],
    [undefined, "local"],
  ])("the address key of %s is %s (an IPv6 subscriber owns a /64)", (ip, key) => {
    expect(clientKeyOf(ip)).toBe(key);
  });

  it.each([
    ["203.0.113.9", "203.0.113.9"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1::/48"],
    ["2001:db8::1", "2001:db8:0::/48"],
  ])("the network of %s for an account's lane is %s", (ip, key) => {
    expect(networkKeyOf(ip)).toBe(key);
  });

  it("an account under attack answers 429 with Retry-After in seconds (not 15 minutes), and the wait ends", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const attacker = uniqIp();
    for (let i = 0; i <= POLICIES.acct.free; i++) expect((await login(admin.user.email, "wrong", attacker)).res.status).toBe(401);
    // The attacker's own lane at the waiting account: one more check, then it waits too.
    expect((await login(admin.user.email, "wrong", attacker)).res.status).toBe(401);
    const slowed = await login(admin.user.email, TEST_PASSWORD, attacker);
    expect(slowed.res.status).toBe(429);
    expect(slowed.body.error.code).toBe("too_many_attempts");
    const wait = Number(slowed.res.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(2);
    expect(slowed.token).toBeNull();
    // Once the wait is over, the right password works and the counter is gone.
    await env.DB.prepare("UPDATE login_attempts SET locked_until = ? WHERE key IN (?, ?)").bind(Date.now() - 1, `acct:${admin.user.email}`, `pair:${admin.user.email}|${attacker}`).run();
    expect((await login(admin.user.email, TEST_PASSWORD, attacker)).res.status).toBe(200);
    expect(await counter(`acct:${admin.user.email}`)).toBeNull();
  });
});

describe("an attacker cannot lock the owner out", () => {
  it("the owner with a known device logs in with the right password while the account is being guessed at", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const home = uniqIp();
    const first = await browserLogin(admin.user.email, TEST_PASSWORD, home);
    expect(first.res.status).toBe(200);
    const device = first.set.find((c) => c.startsWith(`acms_dev_${admin.user.id}=`))!;
    expect(device).toBeTruthy();
    // The attacker: many wrong guesses from many addresses (ignoring the 429s).
    for (let i = 0; i < 12; i++) {
      await env.DB.prepare("UPDATE login_attempts SET locked_until = 0 WHERE key = ?").bind(`acct:${admin.user.email}`).run();
      await login(admin.user.email, `guess-${i}`, uniqIp());
    }
    const acct = await counter(`acct:${admin.user.email}`);
    expect(acct!.failures).toBe(12);
    expect(acct!.locked_until).toBeGreaterThan(Date.now() + 60_000);
    // With the device cookie the owner is in at once, even from the attacker's side of the world.
    const owner = await browserLogin(admin.user.email, TEST_PASSWORD, uniqIp(), [device]);
    expect(owner.res.status).toBe(200);
    expect(owner.body.user.userId).toBe(admin.user.id);
  });

  it("someone who knows the e-mail cannot keep the owner out of a device they have not used before", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const email = admin.user.email;
    // The attacker keeps guessing from a few addresses, all through the owner's attempts.
    const attackers = ["203.0.113.10", "203.0.113.11", "2001:db8:bad:1::1"];
    const attack = async () => {
      for (const ip of attackers) await login(email, `guess-${crypto.randomUUID()}`, ip);
      await env.DB.prepare("UPDATE login_attempts SET locked_until = 0 WHERE key = ?").bind(`acct:${email}`).run();
      for (const ip of attackers) await login(email, `guess-${crypto.randomUUID()}`, ip);
    };
    await attack();
    expect((await counter(`acct:${email}`))!.locked_until).toBeGreaterThan(Date.now());
    // The owner on a new laptop at home (no device cookie): the right password gets in.
    const home = "198.51.100.200";
    await attack();
    const first = await browserLogin(email, TEST_PASSWORD, home);
    expect(first.res.status).toBe(200);
    // On a new phone (IPv6, no cookie) with a typo first: a short wait of their own, then in.
    const phone = "2001:db8:abcd:12::7";
    await attack();
    expect((await browserLogin(email, "typo", phone)).res.status).toBe(401);
    const wait = await browserLogin(email, TEST_PASSWORD, phone);
    expect(wait.res.status).toBe(429);
    expect(Number(wait.res.headers.get("retry-after"))).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 2100));
    await attack();
    expect((await browserLogin(email, TEST_PASSWORD, phone)).res.status).toBe(200);
    // The attacker's own lanes are slowed like anyone's: rotating /64s inside one /48 is one lane.
    const rotating = await Promise.all([1, 2, 3, 4].map((i) => login(email, "guess", `2001:db8:bad:${i}::1`)));
    expect(rotating.filter((r) => r.res.status === 401).length).toBeLessThanOrEqual(1);
  });

  it("a device cookie belongs to its user: another account's cookie gives no bypass", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const rec = await browserLogin(f.receptionist.user.email, TEST_PASSWORD, uniqIp());
    const recDevice = rec.set.find((c) => c.startsWith("acms_dev_"))!;
    // Present the receptionist's device token under the admin's cookie name.
    const forged = `acms_dev_${f.admin.user.id}=${recDevice.split("=")[1]}`;
    for (let i = 0; i <= POLICIES.acct.free; i++) await login(f.admin.user.email, "wrong", uniqIp());
    // Counted as an unknown device: one check in its network's lane, then it waits (a real
    // device cookie would have 5 checks of its own).
    const ip = uniqIp();
    expect((await browserLogin(f.admin.user.email, "wrong", ip, [forged])).res.status).toBe(401);
    expect((await browserLogin(f.admin.user.email, TEST_PASSWORD, ip, [forged])).res.status).toBe(429);
    expect(await counter(`dev:${recDevice.split("=")[1]}`)).toBeNull();
  });

  it("a device cookie used for guessing is slowed down itself and then counts as unknown", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const first = await browserLogin(admin.user.email, TEST_PASSWORD, uniqIp());
    const device = first.set.find((c) => c.startsWith("acms_dev_"))!;
    const ip = uniqIp();
    const statuses: number[] = [];
    const checks = POLICIES.dev.free + 1 + POLICIES.acct.free + 1 + POLICIES.pair.free + 1;
    for (let i = 0; i < checks; i++) statuses.push((await browserLogin(admin.user.email, "wrong", ip, [device])).res.status);
    // dev.free + 1 checked on the device, then acct.free + 1 on the account, then one in this network's lane…
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect((await counter(`pair:${admin.user.email}|${ip}`))!.failures).toBe(1);
    // …then every key waits (the lane's 2 s pushed out, so a slow run cannot pass it): 429.
    await env.DB.prepare("UPDATE login_attempts SET locked_until = ? WHERE key = ?").bind(Date.now() + 60_000, `pair:${admin.user.email}|${ip}`).run();
    expect((await browserLogin(admin.user.email, "wrong", ip, [device])).res.status).toBe(429);
  });

  it("made-up e-mails from the front desk's one address do not stop their colleagues' log-ins", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const frontDesk = uniqIp();
    for (let i = 0; i < 5; i++) expect((await login(`made-up-${i}-${crypto.randomUUID()}@test.example`, "guess", frontDesk)).res.status).toBe(401);
    expect((await login(f.receptionist.user.email, TEST_PASSWORD, frontDesk)).res.status).toBe(200);
    expect((await login(f.admin.user.email, TEST_PASSWORD, frontDesk)).res.status).toBe(200);
    // Up to ip.free failures in all are tolerated from one address.
    for (let i = 5; i < POLICIES.ip.free - 1; i++) await login(`made-up-${i}-${crypto.randomUUID()}@test.example`, "guess", frontDesk);
    expect((await login(f.receptionist.user.email, TEST_PASSWORD, frontDesk)).res.status).toBe(200);
  });

  it("an address that keeps guessing is slowed down for unknown devices, never for known ones, and waits at most a minute", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const frontDesk = uniqIp();
    const known = await browserLogin(f.receptionist.user.email, TEST_PASSWORD, frontDesk);
    const device = known.set.find((c) => c.startsWith("acms_dev_"))!;
    for (let i = 0; i < 40; i++) {
      await env.DB.prepare("UPDATE login_attempts SET locked_until = 0 WHERE key = ?").bind(`ip:${frontDesk}`).run();
      await login(`made-up-${i}-${crypto.randomUUID()}@test.example`, "guess", frontDesk);
    }
    const slowed = await login(f.admin.user.email, TEST_PASSWORD, frontDesk);
    expect(slowed.res.status).toBe(429);
    expect(Number(slowed.res.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect((await browserLogin(f.receptionist.user.email, TEST_PASSWORD, frontDesk, [device])).res.status).toBe(200);
    // The admin elsewhere is unaffected.
    expect((await login(f.admin.user.email, TEST_PASSWORD, uniqIp())).res.status).toBe(200);
  });

  it("the same 401 and the same throttling for a made-up e-mail as for a real one (no account discovery)", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const fake = `nobody-${crypto.randomUUID()}@test.example`;
    const seq = async (email: string) => {
      const out: number[] = [];
      for (let i = 0; i < POLICIES.acct.free + 2; i++) out.push((await login(email, "wrong", uniqIp())).res.status);
      return out;
    };
    expect(await seq(fake)).toEqual(await seq(admin.user.email));
  });
});

describe("the counter is atomic", () => {
  it("40 parallel wrong guesses: exactly as many are checked as counted, the rest get 429 unchecked", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const ip = uniqIp();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login(admin.user.email, `parallel-${i}`, ip)));
    const statuses = results.map((r) => r.res.status);
    const checked = statuses.filter((s) => s === 401).length;
    const refused = statuses.filter((s) => s === 429).length;
    expect(checked + refused).toBe(40);
    const acct = await counter(`acct:${admin.user.email}`);
    const lane = await counter(`pair:${admin.user.email}|${ip}`);
    expect(acct!.failures + (lane?.failures ?? 0)).toBe(checked);
    // All 40 arrive within the first delays: free + 1 on the account and 1 in this network's
    // lane (one more if the run straddles the 1 s or 2 s delay).
    expect(checked).toBeGreaterThanOrEqual(POLICIES.acct.free + 1);
    expect(checked).toBeLessThanOrEqual(POLICIES.acct.free + 1 + POLICIES.pair.free + 1 + 1);
    for (const r of results.filter((x) => x.res.status === 429)) expect(Number(r.res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("40 parallel guesses from one address at 40 accounts: the address counter counts each checked guess once", async () => {
    const ip = uniqIp();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login(`spray-${i}-${crypto.randomUUID()}@test.example`, "guess", ip)));
    const checked = results.filter((r) => r.res.status === 401).length;
    expect(checked + results.filter((r) => r.res.status === 429).length).toBe(40);
    expect((await counter(`ip:${ip}`))!.failures).toBe(checked);
    expect(checked).toBeLessThanOrEqual(POLICIES.ip.free + 2);
  });
});

describe("log-in from a script (no Origin)", () => {
  const raw = (headers: Record<string, string>, email: string, password = TEST_PASSWORD) =>
    worker.fetch("http://localhost/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": uniqIp(), ...headers },
      body: JSON.stringify({ email, password }),
    });

  it("JSON log-in without Origin returns a Bearer token and sets no cookie", async () => {
    const { receptionist } = await makeClinic({ doctors: 0, patients: 0 });
    const res = await raw({}, receptionist.user.email);
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toBeNull();
    const { token } = await res.json<any>();
    const me = await worker.fetch("http://localhost/api/auth/me", { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
  });

  it("a foreign Origin or Referer is still refused (403); our own sets the cookies", async () => {
    const { receptionist } = await makeClinic({ doctors: 0, patients: 0 });
    expect((await raw({ origin: "https://evil.example" }, receptionist.user.email)).status).toBe(403);
    expect((await raw({ origin: "null" }, receptionist.user.email)).status).toBe(403);
    expect((await raw({ referer: "https://evil.example/x" }, receptionist.user.email)).status).toBe(403);
    const own = await raw({ origin: ORIGIN }, receptionist.user.email);
    expect(own.status).toBe(200);
    expect(own.headers.getSetCookie().map((c) => c.split("=")[0]).sort()).toEqual([`acms_dev_${receptionist.user.id}`, "acms_session"]);
  });

  it("a form-encoded log-in without Origin is refused (415): only JSON, which a cross-site form cannot send", async () => {
    const { receptionist } = await makeClinic({ doctors: 0, patients: 0 });
    const res = await worker.fetch("http://localhost/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `email=${encodeURIComponent(receptionist.user.email)}&password=x`,
    });
    expect(res.status).toBe(415);
  });
});

describe("clean-up", () => {
  it("the auth cron job deletes idle throttle rows and expired log-out entries, and keeps live ones", async () => {
    const { authCron } = await import("../../../worker/auth/cron");
    const now = Date.now();
    const tag = crypto.randomUUID();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO login_attempts (key, failures, window_start, locked_until) VALUES (?, 3, ?, ?)").bind(`acct:old-${tag}`, now - 3 * 3_600_000, now - 3 * 3_600_000),
      env.DB.prepare("INSERT INTO login_attempts (key, failures, window_start, locked_until) VALUES (?, 3, ?, ?)").bind(`acct:new-${tag}`, now - 60_000, now),
      env.DB.prepare("INSERT INTO revoked_sessions (jti, user_id, expires_at) VALUES (?, 'u', ?)").bind(`old-${tag}`, now - 1000),
      env.DB.prepare("INSERT INTO revoked_sessions (jti, user_id, expires_at) VALUES (?, 'u', ?)").bind(`new-${tag}`, now + 3_600_000),
    ]);
    await authCron(env, now);
    expect(await counter(`acct:old-${tag}`)).toBeNull();
    expect(await counter(`acct:new-${tag}`)).not.toBeNull();
    const jtis = (await env.DB.prepare("SELECT jti FROM revoked_sessions WHERE jti LIKE ?").bind(`%-${tag}`).all<{ jti: string }>()).results.map((r) => r.jti);
    expect(jtis).toEqual([`new-${tag}`]);
  });
});
