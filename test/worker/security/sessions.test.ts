// Sessions really end (issue #8): log-out, a password change or reset (by the user or
// an admin), disabling and a role change end sessions server-side at once: the old
// token gets 401 on the very next request, whether sent as Bearer or as the cookie.
// And every token must carry an expiry.
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { anon, authed, countRows, env, login, makeClinic, makeUser, TEST_PASSWORD } from "../../helpers";

const me = (token: string) => authed(token).get("/api/auth/me");
const meCookie = (cookie: string) => anon.get("/api/auth/me", { cookie });

describe("sessions end server-side", () => {
  it("log-out ends that session: its token and its cookie get 401; another session of the same user lives on", async () => {
    const { receptionist } = await makeClinic({ doctors: 0, patients: 0 });
    const a = await login(receptionist.user.email);
    const b = await login(receptionist.user.email);
    expect((await me(a.token!)).status).toBe(200);
    expect((await meCookie(a.cookie!)).status).toBe(200);
    const out = await anon.post("/api/auth/logout", {}, { cookie: a.cookie! });
    expect(out.status).toBe(200);
    const after = await me(a.token!);
    expect(after.status).toBe(401);
    expect((await after.json<any>()).error).toMatchObject({ code: "unauthorized", message: expect.stringMatching(/ended/) });
    expect((await meCookie(a.cookie!)).status).toBe(401);
    expect((await me(b.token!)).status).toBe(200);
    // A Bearer log-out ends a script's session the same way.
    expect((await authed(b.token!).post("/api/auth/logout", {})).status).toBe(200);
    expect((await me(b.token!)).status).toBe(401);
  });

  it("a user's own password change ends every other session; the session that changed it continues with a new token", async () => {
    const { receptionist } = await makeClinic({ doctors: 0, patients: 0 });
    const other = await login(receptionist.user.email);
    const here = await login(receptionist.user.email);
    const res = await anon.post("/api/auth/password", { currentPassword: TEST_PASSWORD, newPassword: "a brand new password" }, { cookie: here.cookie! });
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    const fresh = res.headers.get("set-cookie")!.split(";")[0];
    expect((await me(other.token!)).status).toBe(401);
    expect((await me(here.token!)).status).toBe(401); // the old token of this browser too…
    expect((await meCookie(fresh)).status).toBe(200); // …which now holds the new one
    expect((await me(body.token)).status).toBe(200);
    expect((await me(receptionist.token)).status).toBe(401); // the fixture's token as well
    expect((await login(receptionist.user.email, "a brand new password")).res.status).toBe(200);
    const a = await env.DB.prepare("SELECT summary FROM audit_log WHERE entity_id = ? AND action = 'user.password_change'").bind(receptionist.user.id).first<{ summary: string }>();
    expect(a!.summary).not.toMatch(/brand new|pbkdf2/);
  });

  it("a wrong current password changes nothing (422 naming the field) and ends nothing", async () => {
    const { receptionist } = await makeClinic({ doctors: 0, patients: 0 });
    const res = await authed(receptionist.token).post("/api/auth/password", { currentPassword: "not it", newPassword: "a brand new password" });
    expect(res.status).toBe(422);
    expect((await res.json<any>()).error.details).toEqual([{ path: "currentPassword", message: "is wrong" }]);
    expect((await me(receptionist.token)).status).toBe(200);
  });

  it("an admin's password reset ends every session of that user at once", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const s1 = await login(f.receptionist.user.email);
    expect((await me(s1.token!)).status).toBe(200);
    expect((await authed(f.tokens.admin).patch(`/api/users/${f.receptionist.user.id}`, { password: "reset by the admin" })).status).toBe(200);
    expect((await me(s1.token!)).status).toBe(401);
    expect((await meCookie(s1.cookie!)).status).toBe(401);
    expect((await me(f.receptionist.token)).status).toBe(401);
    // A new log-in with the new password works (new epoch).
    const s2 = await login(f.receptionist.user.email, "reset by the admin");
    expect((await me(s2.token!)).status).toBe(200);
  });

  it("an admin resetting their own password keeps this session (new token) and ends their others", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const elsewhere = await login(f.admin.user.email);
    const res = await authed(f.tokens.admin).patch(`/api/users/${f.admin.user.id}`, { password: "my own new password" });
    expect(res.status).toBe(200);
    const { token } = await res.json<any>();
    expect((await me(token)).status).toBe(200);
    expect((await me(elsewhere.token!)).status).toBe(401);
    expect((await me(f.tokens.admin)).status).toBe(401);
  });

  it("disabling ends every session at once; re-enabling does not bring old sessions back", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const s = await login(f.receptionist.user.email);
    const admin = authed(f.tokens.admin);
    expect((await admin.patch(`/api/users/${f.receptionist.user.id}`, { disabled: true })).status).toBe(200);
    const r = await me(s.token!);
    expect(r.status).toBe(401);
    expect((await r.json<any>()).error.message).toMatch(/disabled/);
    expect((await admin.patch(`/api/users/${f.receptionist.user.id}`, { disabled: false })).status).toBe(200);
    expect((await me(s.token!)).status).toBe(401);
    expect((await login(f.receptionist.user.email)).res.status).toBe(200);
  });

  it("a role change ends every session of that user (the old token's role is gone); the new log-in carries the new role", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const s = await login(f.receptionist.user.email);
    const admin = authed(f.tokens.admin);
    const res = await admin.patch(`/api/users/${f.receptionist.user.id}`, { role: "admin" });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).user.role).toBe("admin");
    expect((await me(s.token!)).status).toBe(401);
    expect((await authed(s.token!).get("/api/patients")).status).toBe(401);
    const again = await login(f.receptionist.user.email);
    expect(again.body.user.role).toBe("admin");
    expect((await authed(again.token!).get("/api/users")).status).toBe(200);
    // And back down: the admin session ends too.
    expect((await admin.patch(`/api/users/${f.receptionist.user.id}`, { role: "receptionist" })).status).toBe(200);
    expect((await authed(again.token!).get("/api/users")).status).toBe(401);
  });

  it("role changes to or from doctor, and of oneself, are refused (409) and change nothing", async () => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const admin = authed(f.tokens.admin);
    const toDoctor = await admin.patch(`/api/users/${f.receptionist.user.id}`, { role: "doctor" });
    expect(toDoctor.status).toBe(409);
    expect((await toDoctor.json<any>()).error.code).toBe("role_change_unsupported");
    expect((await admin.patch(`/api/users/${f.doctors[0].user.id}`, { role: "receptionist" })).status).toBe(409);
    const self = await admin.patch(`/api/users/${f.admin.user.id}`, { role: "receptionist" });
    expect((await self.json<any>()).error.code).toBe("cannot_change_own_role");
    expect((await me(f.tokens.receptionist)).status).toBe(200);
    expect((await me(f.tokens.doctor)).status).toBe(200);
  });

  it("a rename alone ends no session", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    expect((await authed(f.tokens.admin).patch(`/api/users/${f.receptionist.user.id}`, { name: "New Name" })).status).toBe(200);
    expect((await me(f.tokens.receptionist)).status).toBe(200);
  });

  it("log-out closes that session's open live WebSocket at once (4001) and it cannot reconnect; other sessions' sockets stay", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const s = await login(f.receptionist.user.email);
    const other = await login(f.receptionist.user.email);
    const a = await openLive(s.token!);
    const b = await openLive(other.token!);
    await authed(s.token!).post("/api/auth/logout", {});
    expect(await a.closed).toEqual({ code: 4001, reason: "session ended" });
    expect((await authed(s.token!).get("/api/live", { upgrade: "websocket" })).status).toBe(401);
    expect(b.isOpen()).toBe(true);
    b.ws.close(1000, "bye");
  });

  it("disabling a user closes all their live WebSockets at once", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const a = await openLive(f.tokens.receptionist);
    const b = await openLive((await login(f.receptionist.user.email)).token!);
    const admin = await openLive(f.tokens.admin);
    expect((await authed(f.tokens.admin).patch(`/api/users/${f.receptionist.user.id}`, { disabled: true })).status).toBe(200);
    expect((await a.closed).code).toBe(4001);
    expect((await b.closed).code).toBe(4001);
    expect(admin.isOpen()).toBe(true);
    admin.ws.close(1000, "bye");
  });
});

/** Opens /api/live with a Bearer token; `closed` resolves with the server's close code. */
async function openLive(token: string) {
  const res = await authed(token).get("/api/live", { upgrade: "websocket" });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  let open = true;
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (e) => {
      open = false;
      resolve({ code: e.code, reason: e.reason });
    }),
  );
  ws.accept();
  await new Promise((r) => setTimeout(r, 20));
  return { ws, closed, isOpen: () => open };
}

describe("read-ahead routes release nothing to an ended session", () => {
  it("GET lists, a 404 and a 422 all become 401 once the session ended; a write waits for the check and writes nothing", async () => {
    const f = await makeClinic({ doctors: 1, patients: 1 });
    const s = await login(f.receptionist.user.email);
    const api = authed(s.token!);
    const d = f.doctors[0].doctor.id;
    const list = `/api/appointments?from=2027-01-04T00:00:00Z&to=2027-01-05T00:00:00Z&doctorId=${d}`;
    expect((await api.get(list)).status).toBe(200);
    expect((await api.get(`/api/patients/${f.patients[0].id}`)).status).toBe(200);
    await api.post("/api/auth/logout", {});
    for (const path of [
      list,
      `/api/availability?doctorId=${d}&from=2027-01-04&to=2027-01-05`,
      `/api/blocked-times?from=2027-01-04T00:00:00Z&to=2027-01-05T00:00:00Z`,
      `/api/patients?q=${encodeURIComponent(f.patients[0].name.slice(0, 4))}`,
      `/api/patients/${f.patients[0].id}`,
      `/api/patients/${"0".repeat(32)}`, // would be a 404
      "/api/appointments?from=nonsense", // would be a 422
    ]) {
      const res = await api.get(path);
      expect(res.status, path).toBe(401);
      const text = await res.text();
      expect(text, path).not.toContain(f.patients[0].name);
    }
    const before = await countRows("patients");
    expect((await api.post("/api/patients", { name: "After Logout" })).status).toBe(401);
    expect(await countRows("patients")).toBe(before);
  });
});

describe("every token must carry an expiry", () => {
  const sign = (claims: Record<string, unknown>, sub: string, exp: boolean) => {
    let j = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt().setJti(crypto.randomUUID()).setAudience("acms-session");
    if (exp) j = j.setExpirationTime(Math.floor(Date.now() / 1000) + 3600);
    return j.sign(new TextEncoder().encode(env.SESSION_SECRET));
  };

  it("refuses a correctly signed token without exp (401), accepts the same with exp", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const claims = { clinic: admin.user.clinicId, role: "admin", email: admin.user.email, name: "x", doc: null, sep: 0 };
    expect((await me(await sign(claims, admin.user.id, false))).status).toBe(401);
    expect((await me(await sign(claims, admin.user.id, true))).status).toBe(200);
  });

  it("refuses a token without a session identity (no jti or epoch), as issued before sessions had one", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const old = await new SignJWT({ clinic: admin.user.clinicId, role: "admin", email: admin.user.email, name: "x", doc: null })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(admin.user.id)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
      .setAudience("acms-session")
      .sign(new TextEncoder().encode(env.SESSION_SECRET));
    expect((await me(old)).status).toBe(401);
  });

  it("a token of a user who was never stored is refused", async () => {
    const { admin } = await makeClinic({ doctors: 0, patients: 0 });
    const ghost = await makeUser(admin.user.clinicId, "admin");
    await env.DB.prepare("UPDATE users SET email = email || '.gone', session_epoch = 7 WHERE id = ?").bind(ghost.user.id).run();
    expect((await me(ghost.token)).status).toBe(401);
  });
});
