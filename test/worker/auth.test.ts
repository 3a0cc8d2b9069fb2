// Log-in, log-out, lock-out, CSRF and session validity: the doors a user walks through.
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signSession } from "../../worker/auth/session";
import { POLICIES } from "../../worker/auth/throttle";
import { anon, authed, env, login, makeClinic, makeUser, ORIGIN, TEST_PASSWORD, worker } from "../helpers";

const ip = () => `192.0.2.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 6)}`;

describe("log-in and log-out", () => {
  it("logs in with the right password and gets a session cookie usable for /me", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const { res, token, cookie, body } = await login(admin.user.email.toUpperCase());
    expect(res.status).toBe(200);
    expect(body.user).toMatchObject({ userId: admin.user.id, role: "admin", clinicId: admin.user.clinicId });
    expect(token).toBeTruthy();
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const me = await anon.get("/api/auth/me", { cookie: cookie! });
    expect(me.status).toBe(200);
    expect((await me.json<any>()).user.email).toBe(admin.user.email);
    const meBearer = await authed(token).get("/api/auth/me");
    expect(meBearer.status).toBe(200);
  });

  it("refuses a wrong password and an unknown e-mail with the same 401", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const wrong = await login(admin.user.email, "not the password", ip());
    expect(wrong.res.status).toBe(401);
    expect(wrong.body.error.code).toBe("unauthorized");
    expect(wrong.res.headers.get("set-cookie")).toBeNull();
    const unknown = await login(`nobody-${crypto.randomUUID()}@test.example`, "whatever", ip());
    expect(unknown.res.status).toBe(401);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it("log-out clears the cookie (and ends the session: security/sessions.test.ts)", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const { cookie } = await login(admin.user.email);
    const out = await anon.post("/api/auth/logout", {}, { cookie: cookie! });
    expect(out.status).toBe(200);
    const cleared = out.headers.get("set-cookie")!;
    expect(cleared).toMatch(/acms_session=;/);
    expect(cleared).toMatch(/Max-Age=0/i);
  });
});

// Issue #8 replaced the 15-minute lock with progressive delays (worker/auth/throttle.ts);
// these tests assert the new behaviour. The attack scenarios are in security/lockout.test.ts.
describe("slow-down after repeated failures", () => {
  it("slows an account down after POLICIES.acct.free wrong passwords, even from different IPs, with 429 too_many_attempts + Retry-After", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    for (let i = 0; i <= POLICIES.acct.free; i++) {
      const r = await login(admin.user.email, `wrong-${i}`, ip());
      expect(r.res.status).toBe(401);
    }
    // While the account waits, each network gets one check of its own at it (so an attacker
    // cannot keep the owner out), then waits too; the right password is not checked while waiting.
    const last = ip();
    expect((await login(admin.user.email, "wrong-lane", last)).res.status).toBe(401);
    const slowed = await login(admin.user.email, TEST_PASSWORD, last);
    expect(slowed.res.status).toBe(429);
    expect(slowed.body.error.code).toBe("too_many_attempts");
    expect(slowed.body.error.message).toMatch(/Try again in \d+ seconds?/);
    const retryAfter = Number(slowed.res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(POLICIES.acct.capMs / 1000);
    expect(slowed.token).toBeNull();

    // Other accounts of the clinic are unaffected.
    const other = await makeUser(admin.user.clinicId, "receptionist");
    expect((await login(other.user.email, TEST_PASSWORD, ip())).res.status).toBe(200);
  });

  it("slows an IP down after POLICIES.ip.free failures across different accounts", async () => {
    const { admin, receptionist } = await makeClinic({ doctors: 0, patients: 0 });
    const badIp = ip();
    for (let i = 0; i <= POLICIES.ip.free; i++) {
      const r = await login(`guess-${i}-${crypto.randomUUID()}@test.example`, "guess", badIp);
      expect(r.res.status).toBe(401);
    }
    const slowed = await login(admin.user.email, TEST_PASSWORD, badIp);
    expect(slowed.res.status).toBe(429);
    expect(slowed.body.error.code).toBe("too_many_attempts");
    expect(Number(slowed.res.headers.get("retry-after"))).toBeGreaterThan(0);
    // The same account from another IP still works.
    expect((await login(receptionist.user.email, TEST_PASSWORD, ip())).res.status).toBe(200);
  });

  it("a slow-down ends when its time is up", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const a = ip();
    for (let i = 0; i <= POLICIES.acct.free + 1; i++) await login(admin.user.email, "wrong", a);
    expect((await login(admin.user.email, TEST_PASSWORD, a)).res.status).toBe(429);
    // Let the wait run out (move it into the past).
    await env.DB.prepare("UPDATE login_attempts SET locked_until = ? WHERE key IN (?, ?)").bind(Date.now() - 1, `acct:${admin.user.email}`, `pair:${admin.user.email}|${a}`).run();
    expect((await login(admin.user.email, TEST_PASSWORD, a)).res.status).toBe(200);
  });

  it("a successful log-in before the limit resets the account counter", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    for (let i = 0; i < POLICIES.acct.free - 1; i++) await login(admin.user.email, "wrong", ip());
    expect((await login(admin.user.email, TEST_PASSWORD, ip())).res.status).toBe(200);
    for (let i = 0; i < POLICIES.acct.free - 1; i++) await login(admin.user.email, "wrong", ip());
    expect((await login(admin.user.email, TEST_PASSWORD, ip())).res.status).toBe(200);
  });
});

describe("CSRF: cookie-authenticated writes must come from our origin", () => {
  it("refuses a cookie POST without Origin or with a foreign Origin (403), accepts our own", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const { cookie } = await login(admin.user.email);
    const body = JSON.stringify({ name: "Csrf Test" });
    const send = (headers: Record<string, string>) =>
      fetchRaw("/api/patients", { method: "POST", body, headers: { "content-type": "application/json", cookie: cookie!, ...headers } });

    const none = await send({});
    expect(none.status).toBe(403);
    expect((await none.json<any>()).error.code).toBe("forbidden");
    const foreign = await send({ origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    const foreignReferer = await send({ referer: "https://evil.example/page" });
    expect(foreignReferer.status).toBe(403);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM patients WHERE clinic_id = ?").bind(admin.user.clinicId).first<{ n: number }>();
    expect(n?.n).toBe(0);

    const own = await send({ origin: ORIGIN });
    expect(own.status).toBe(201);
  });

  it("refuses a cross-site log-out", async () => {
    const res = await fetchRaw("/api/auth/logout", { method: "POST", headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
  });
});

describe("session tokens", () => {
  it("refuses a missing session with 401", async () => {
    const res = await anon.get("/api/auth/me");
    expect(res.status).toBe(401);
    expect((await res.json<any>()).error.code).toBe("unauthorized");
  });

  it("refuses forged tokens: wrong secret, tampered payload, alg none, garbage (401)", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const s = {
      userId: admin.user.id,
      clinicId: admin.user.clinicId,
      role: "admin" as const,
      email: admin.user.email,
      name: admin.user.name,
      doctorId: null,
    };
    const wrongSecret = await signSession(s, "some-other-secret-0123456789abcdef");
    const [h, p, sig] = admin.token.split(".");
    const payload = JSON.parse(atob(p.replaceAll("-", "+").replaceAll("_", "/")));
    const tampered = `${h}.${btoa(JSON.stringify({ ...payload, clinic: "0".repeat(32) })).replace(/=+$/, "")}.${sig}`;
    const none = `${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${p}.`;
    for (const token of [wrongSecret, tampered, none, "garbage", `${h}.${p}`]) {
      const res = await authed(token).get("/api/auth/me");
      expect(res.status, token).toBe(401);
      expect((await res.json<any>()).error.code).toBe("unauthorized");
    }
    // A cookie with a forged token is refused the same way.
    const res = await anon.get("/api/auth/me", { cookie: `acms_session=${wrongSecret}` });
    expect(res.status).toBe(401);
  });

  it("refuses an expired token (401)", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const expired = await new SignJWT({ clinic: admin.user.clinicId, role: "admin", email: admin.user.email, name: "x", doc: null })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(admin.user.id)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 9 * 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .setAudience("acms-session")
      .sign(new TextEncoder().encode(env.SESSION_SECRET));
    const res = await authed(expired).get("/api/auth/me");
    expect(res.status).toBe(401);
    expect((await res.json<any>()).error.message).toMatch(/expired/);
  });

  it("refuses a disabled user's log-in and their existing token (401)", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const staff = await makeUser(admin.user.clinicId, "receptionist", { disabled: true });
    const l = await login(staff.user.email, TEST_PASSWORD, ip());
    expect(l.res.status).toBe(401);
    expect(l.body.error.message).toMatch(/disabled/);
    const res = await authed(staff.token).get("/api/auth/me");
    expect(res.status).toBe(401);
  });
});

/** A request with exactly these headers (no Bearer, no Origin added). */
function fetchRaw(path: string, init: RequestInit) {
  return worker.fetch(`http://localhost${path}`, init);
}
