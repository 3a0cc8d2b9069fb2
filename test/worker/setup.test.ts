// First-run setup (worker/routes/setup.ts): on an empty database anyone may create the clinic and
// its first admin, exactly once. This file's D1 starts empty (each test file has its own storage),
// so the order of the tests below is the life of a fresh install.
import { describe, expect, it } from "vitest";
import { anon, countRows, login } from "../helpers";

const body = (n: string) => ({
  clinic: { name: `Clinic ${n}`, timeZone: "Europe/London", address: "1 High St" },
  admin: { name: `Admin ${n}`, email: `admin-${n}@first.example`, password: "a long enough password" },
});

describe("first-run setup", () => {
  it("an empty database says setup is needed", async () => {
    expect(await countRows("clinics")).toBe(0);
    const res = await anon.get("/api/setup");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ needed: true });
  });

  it.each([
    ["no clinic name", { ...body("x"), clinic: { ...body("x").clinic, name: " " } }, "clinic.name"],
    ["a made-up time zone", { ...body("x"), clinic: { ...body("x").clinic, timeZone: "Mars/Olympus" } }, "clinic.timeZone"],
    ["a short password", { ...body("x"), admin: { ...body("x").admin, password: "short" } }, "admin.password"],
    ["a bad e-mail", { ...body("x"), admin: { ...body("x").admin, email: "not-an-email" } }, "admin.email"],
    ["an unknown field", { ...body("x"), role: "admin" }, ""],
  ])("refuses %s with 422 naming the field, and writes nothing", async (_, b, field) => {
    const res = await anon.post("/api/setup", b);
    expect(res.status).toBe(422);
    const err = (await res.json<any>()).error;
    expect(err.code).toBe("validation_failed");
    expect(err.details.map((d: any) => d.path)).toContain(field);
    expect(await countRows("clinics")).toBe(0);
    expect(await countRows("users")).toBe(0);
  });

  it("refuses a cross-site request (CSRF) and a non-JSON body", async () => {
    expect((await anon.post("/api/setup", body("x"), { origin: "https://evil.example" })).status).toBe(403);
    expect((await anon.post("/api/setup", "clinic=x", { "content-type": "application/x-www-form-urlencoded" })).status).toBe(415);
    expect(await countRows("clinics")).toBe(0);
  });

  it("two racing setups make exactly one clinic with one admin; the loser gets 409 setup_done", async () => {
    const results = await Promise.all(["a", "b", "c"].map((n) => anon.post("/api/setup", body(n))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) expect((await r.json<any>()).error.code).toBe("setup_done");
    expect(await countRows("clinics")).toBe(1);
    expect(await countRows("users")).toBe(1);
    expect(await countRows("audit_log", "action = 'clinic.setup'")).toBe(1);
    const won = await results.find((r) => r.status === 201)!.json<any>();
    expect(won.clinic).toMatchObject({ timeZone: "Europe/London", address: "1 High St" });
    expect(JSON.stringify(won)).not.toMatch(/pbkdf2|password/i);
    // The winner's admin logs in as admin of that clinic.
    const l = await login(won.user.email, "a long enough password");
    expect(l.res.status).toBe(200);
    expect(l.body.user).toMatchObject({ role: "admin", clinicId: won.clinic.id });
  });

  it("once a clinic exists, setup is gone for good: GET says not needed, POST is refused and writes nothing", async () => {
    expect(await (await anon.get("/api/setup")).json()).toEqual({ needed: false });
    const res = await anon.post("/api/setup", body("late"));
    expect(res.status).toBe(409);
    expect((await res.json<any>()).error.code).toBe("setup_done");
    // Even an invalid body gets the same answer: nothing about the body matters any more.
    expect((await anon.post("/api/setup", {})).status).toBe(409);
    expect(await countRows("clinics")).toBe(1);
    expect(await countRows("users")).toBe(1);
  });
});
