// New doctors get distinct colours from a palette (not all the same blue), and what the add-staff
// dialog pre-fills as hours is what a doctor created without hours gets.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORKING_HOURS, DOCTOR_PALETTE, pickDoctorColour } from "../../../worker/doctors/new-doctor";
import { authed, makeClinic } from "../../helpers";

describe("pickDoctorColour", () => {
  const P = DOCTOR_PALETTE;
  it.each([
    ["nobody yet", [], P[0]],
    ["first taken", [P[0]], P[1]],
    ["case does not matter", [P[0].toUpperCase()], P[1]],
    ["a gap is filled first", [P[0], P[2]], P[1]],
    ["colours outside the palette do not count", ["#3b82f6", "#3b82f6"], P[0]],
    ["all taken once, one twice: a once-used one", [...P, P[0]], P[1]],
  ] as const)("%s", (_n, used, want) => expect(pickDoctorColour(used as readonly string[])).toBe(want));
});

describe("new doctors through the API", () => {
  it("three doctors added one after another get three different palette colours", async () => {
    const f = await makeClinic();
    const admin = authed(f.tokens.admin);
    const existing = new Set((((await (await admin.get("/api/doctors")).json()) as any).doctors as { color: string }[]).map((d) => d.color.toLowerCase()));
    const colours: string[] = [];
    for (const [i, how] of (["users", "doctors", "users"] as const).entries()) {
      const res =
        how === "users"
          ? await admin.post("/api/users", { name: `Dr New ${i}`, email: `new${i}@example.test`, role: "doctor", password: "long enough password" })
          : await admin.post("/api/doctors", { name: `Dr New ${i}` });
      expect(res.status).toBe(201);
    }
    const list = (((await (await admin.get("/api/doctors")).json()) as any).doctors as { name: string; color: string }[]).filter((d) => d.name.startsWith("Dr New"));
    for (const d of list) colours.push(d.color.toLowerCase());
    expect(colours).toHaveLength(3);
    expect(new Set(colours).size).toBe(3);
    for (const c of colours) expect((DOCTOR_PALETTE as readonly string[]).includes(c)).toBe(true);
    for (const c of colours) expect(existing.has(c)).toBe(false);
    // A chosen colour is kept as chosen.
    const chosen = await admin.post("/api/doctors", { name: "Dr Chosen", color: "#123456" });
    expect((((await chosen.json()) as any).doctor as { color: string }).color).toBe("#123456");
  });

  it("a doctor account created without hours gets DEFAULT_WORKING_HOURS (what the dialog pre-fills)", async () => {
    const f = await makeClinic();
    const admin = authed(f.tokens.admin);
    const res = await admin.post("/api/users", { name: "Dr Hours", email: "hours@example.test", role: "doctor", password: "long enough password" });
    expect(res.status).toBe(201);
    const d = (((await (await admin.get("/api/doctors")).json()) as any).doctors as { name: string; workingHours: unknown }[]).find((x) => x.name === "Dr Hours")!;
    expect(d.workingHours).toEqual(DEFAULT_WORKING_HOURS);
  });
});
