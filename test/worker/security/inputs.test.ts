// Hostile input (issue #8): instants outside 1900–2200 and text that can spoof what is
// displayed or break a line-based format are refused with a 422 naming the field, and
// nothing is written. The rule lives once in worker/validate.ts (textProblem).
import { describe, expect, it } from "vitest";
import { MULTILINE_FIELDS, stripUnsafeText, textProblem } from "../../../worker/validate";
import { authed, type ClinicFixture, makeClinic, snapshotCounts } from "../../helpers";

const MONDAY = "2027-01-04";

describe("every instant and date is within the years 1900–2200", () => {
  it.each([
    ["to=9999-12-31", "from=9999-12-01&to=9999-12-31", "to"],
    ["from=0001-01-01", "from=0001-01-01&to=0001-01-02", "from"],
    ["from=1899-12-31", "from=1899-12-31&to=1900-01-02", "from"],
    ["to=2201-01-01", "from=2200-12-30&to=2201-01-01", "to"],
  ])("/api/availability?%s → 422 naming the field", async (_n, q, field) => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const res = await authed(f.tokens.receptionist).get(`/api/availability?doctorId=${f.doctors[0].doctor.id}&${q}`);
    expect(res.status).toBe(422);
    const body = await res.json<any>();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.map((d: any) => d.path)).toContain(field);
  });

  it("the edges 1900-01-01 and 2200-12-31 are accepted", async () => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const api = authed(f.tokens.receptionist);
    const d = f.doctors[0].doctor.id;
    expect((await api.get(`/api/availability?doctorId=${d}&from=2200-12-01&to=2200-12-31`)).status).toBe(200);
    expect((await api.get(`/api/availability?doctorId=${d}&from=1900-01-01&to=1900-01-31`)).status).toBe(200);
    // And the API keeps answering normally after the refusals.
    expect((await api.get("/api/auth/me")).status).toBe(200);
  });

  it.each([
    ["9999-12-31T09:00:00Z", "9999-12-31T09:30:00Z"],
    ["0001-01-01T09:00:00Z", "0001-01-01T09:30:00Z"],
    ["1899-12-31T23:30:00Z", "1900-01-01T00:30:00Z"],
    ["1900-01-01T00:30:00+01:00", "1900-01-01T01:30:00+01:00"], // 1899 in UTC
  ])("an appointment from %s is refused (422), nothing written", async (start, end) => {
    const f = await makeClinic({ doctors: 1, patients: 1 });
    const before = await snapshotCounts();
    const res = await authed(f.tokens.admin).post("/api/appointments", {
      doctorId: f.doctors[0].doctor.id,
      patientId: f.patients[0].id,
      start,
      end,
      allowOutsideHours: true,
    });
    expect(res.status).toBe(422);
    expect((await res.json<any>()).error.details.map((d: any) => d.path)).toContain("start");
    expect(await snapshotCounts()).toEqual(before);
  });

  it.each(["/api/appointments?from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z", "/api/appointments/export/ical?from=9999-01-01T00:00:00Z&to=9999-01-02T00:00:00Z"])(
    "%s → 422",
    async (path) => {
      const f = await makeClinic({ doctors: 0, patients: 0 });
      expect((await authed(f.tokens.admin).get(path)).status).toBe(422);
    },
  );

  it("a birth date in year 9999 or 0001 is refused", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    for (const dateOfBirth of ["9999-01-01", "0001-01-01"])
      expect((await authed(f.tokens.receptionist).post("/api/patients", { name: "Dob Test", dateOfBirth })).status).toBe(422);
  });
});

describe("text: one rule for names, notes, types, labels and addresses", () => {
  it.each([
    ["NUL", "Ann\u0000e", false, /U\+0000/],
    ["bell", "Ann\u0007e", false, /U\+0007/],
    ["escape", "\u001b[31mAnne", false, /U\+001B/],
    ["DEL", "Anne\u007f", false, /U\+007F/],
    ["C1 NEL", "Anne\u0085", false, /U\+0085/],
    ["newline in a name", "Anne\nSmith", false, /U\+000A/],
    ["tab in a name", "Anne\tSmith", false, /U\+0009/],
    ["line separator in a name", "Anne\u2028Smith", false, /U\+2028/],
    ["right-to-left override", "Dr \u202Eeoj", false, /U\+202E/],
    ["left-to-right embedding", "\u202AAnne", false, /U\+202A/],
    ["first-strong isolate", "Anne\u2068x\u2069", false, /U\+2068/],
    ["lone high surrogate", "Anne\ud800", false, /unpaired surrogate/],
    ["lone low surrogate", "\udc00Anne", false, /unpaired surrogate/],
    ["NUL in notes", "line one\u0000", true, /U\+0000/],
    ["vertical tab in notes", "a\u000bb", true, /U\+000B/],
    ["bidi override in notes", "take \u202E2 pills", true, /U\+202E/],
  ])("refuses %s", (_n, s, multiline, message) => {
    expect(textProblem(s, multiline)).toMatch(message);
  });

  it.each([
    ["an ordinary name", "Zoë O'Brien-Łukasiewicz", false],
    ["Arabic with a right-to-left mark", "\u200Fمحمد", false],
    ["Hebrew", "שרה כהן", false],
    ["an emoji with a zero-width joiner", "👩‍⚕️ Dr Lee", false],
    ["a surrogate pair", "𝒜nne", false],
    ["notes with tabs, LF and CRLF", "line one\n\tindented\r\nline three", true],
  ])("accepts %s", (_n, s, multiline) => {
    expect(textProblem(s, multiline)).toBeNull();
  });

  it("notes and e-mail template bodies are the multi-line fields", () => {
    expect([...MULTILINE_FIELDS].sort()).toEqual(["html", "notes", "text"]);
  });

  it("stripUnsafeText (for text from outside the API) leaves acceptable text", () => {
    for (const s of ["Ann\u0000e", "Dr \u202Eeoj", "x\ud800y", "a\nb"]) expect(textProblem(stripUnsafeText(s))).toBeNull();
    expect(stripUnsafeText("a\n\tb\u0000", true)).toBe("a\n\tb");
  });

  type Case = { name: string; field: string; send: (f: ClinicFixture, bad: string) => Promise<Response> };
  const cases: Case[] = [
    { name: "patient name", field: "name", send: (f, bad) => authed(f.tokens.receptionist).post("/api/patients", { name: bad }) },
    {
      name: "appointment notes",
      field: "notes",
      send: (f, bad) =>
        authed(f.tokens.receptionist).post("/api/appointments", {
          doctorId: f.doctors[0].doctor.id,
          patientId: f.patients[0].id,
          start: `${MONDAY}T09:00:00Z`,
          end: `${MONDAY}T09:30:00Z`,
          notes: bad,
        }),
    },
    {
      name: "appointment type",
      field: "type",
      send: (f, bad) =>
        authed(f.tokens.receptionist).post("/api/appointments", {
          doctorId: f.doctors[0].doctor.id,
          patientId: f.patients[0].id,
          start: `${MONDAY}T09:00:00Z`,
          end: `${MONDAY}T09:30:00Z`,
          type: bad,
        }),
    },
    {
      name: "blocked-time label",
      field: "label",
      send: (f, bad) =>
        authed(f.tokens.admin).post("/api/blocked-times", { doctorId: f.doctors[0].doctor.id, start: `${MONDAY}T12:00:00Z`, end: `${MONDAY}T12:30:00Z`, label: bad }),
    },
    { name: "clinic address", field: "address", send: (f, bad) => authed(f.tokens.admin).patch("/api/clinic", { address: bad }) },
    { name: "user name", field: "name", send: (f, bad) => authed(f.tokens.admin).patch(`/api/users/${f.receptionist.user.id}`, { name: bad }) },
    { name: "doctor specialty", field: "specialty", send: (f, bad) => authed(f.tokens.admin).patch(`/api/doctors/${f.doctors[0].doctor.id}`, { specialty: bad }) },
  ];
  const bads: [string, string][] = [
    ["NUL", "x\u0000y"],
    ["escape", "x\u001by"],
    ["RLO", "x\u202Ey"],
    ["isolate", "x\u2066y"],
    ["lone surrogate", "x\udfffy"],
  ];

  for (const c of cases)
    it(`${c.name}: NUL, escape, bidi override/isolate and lone surrogates → 422 naming "${c.field}", nothing written`, async () => {
      const f = await makeClinic({ doctors: 1, patients: 1 });
      const before = await snapshotCounts();
      for (const [what, bad] of bads) {
        const res = await c.send(f, bad);
        expect(res.status, what).toBe(422);
        const body = await res.json<any>();
        expect(body.error.code).toBe("validation_failed");
        expect(body.error.details, what).toEqual([{ path: c.field, message: expect.any(String) }]);
        expect(body.error.message).toContain(c.field);
      }
      expect(await snapshotCounts()).toEqual(before);
    });

  it("a multi-line note is kept exactly; a newline in a type is refused", async () => {
    const f = await makeClinic({ doctors: 1, patients: 1 });
    const api = authed(f.tokens.receptionist);
    const base = { doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, start: `${MONDAY}T09:00:00Z`, end: `${MONDAY}T09:30:00Z` };
    expect((await api.post("/api/appointments", { ...base, type: "Check\nup" })).status).toBe(422);
    const res = await api.post("/api/appointments", { ...base, notes: "Allergies:\n\t- penicillin\r\nCall first." });
    expect(res.status).toBe(201);
    expect((await res.json<any>()).appointment.notes).toBe("Allergies:\n\t- penicillin\r\nCall first.");
  });

  it("query strings follow the same rule (patient search)", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const res = await authed(f.tokens.receptionist).get(`/api/patients?q=${encodeURIComponent("An\u202Ene")}`);
    expect(res.status).toBe(422);
    expect((await res.json<any>()).error.details[0].path).toBe("q");
  });

  it("a password may contain anything (it is never displayed); log-in still works", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const res = await authed(f.tokens.admin).patch(`/api/users/${f.receptionist.user.id}`, { password: "tab\there\u0001 and more" });
    expect(res.status).toBe(200);
  });
});

describe("text from providers follows the same rule (stripped, since it cannot be refused)", () => {
  it("a Google event title with a bidi override, a lone surrogate and controls becomes a clean busy label", async () => {
    const { busyLabelOf } = await import("../../../worker/sync/busy-label");
    const label = busyLabelOf("title", "Lunch \u202Ewith\u2066 \ud800team\u0000!");
    expect(textProblem(label)).toBeNull();
    expect(label).toBe("Lunch with \ufffdteam !");
  });
});
