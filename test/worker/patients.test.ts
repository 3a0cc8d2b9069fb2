// Patients: create, update, and the prefix search receptionists type into.
import { describe, expect, it } from "vitest";
import { MAX_CHAR, searchSql, termSearchSql, type SearchColumn } from "../../worker/patients/search";
import { authed, countRows, env, makeClinic, makePatient } from "../helpers";

describe("patient search", () => {
  it("finds by name prefix (case-insensitive), phone digits and e-mail, only in the caller's clinic", async () => {
    const f = await makeClinic({
      patients: [
        { name: "Alice Archer", phone: "+44 (0)20 7946 0001", email: "alice@mail.example" },
        { name: "alison Brook", phone: "020 7946 0002", email: "ally@mail.example" },
        { name: "Bob Carter", phone: "07700 900123", email: "bob@other.example" },
      ],
    });
    const other = await makeClinic({ patients: [{ name: "Alien Other", phone: "+44 20 7946 0003" }] });
    const api = authed(f.tokens.receptionist);

    const names = async (q: string) => {
      const res = await api.get(`/api/patients?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      return ((await res.json<any>()).patients as { name: string }[]).map((p) => p.name);
    };
    expect(await names("ali")).toEqual(["Alice Archer", "alison Brook"]);
    expect(await names("ALIS")).toEqual(["alison Brook"]);
    expect(await names("  alice   ar")).toEqual(["Alice Archer"]);
    expect(await names("bob")).toEqual(["Bob Carter"]);
    expect(await names("07700")).toEqual(["Bob Carter"]);
    expect(await names("077 00-9")).toEqual(["Bob Carter"]);
    expect(await names("440207946")).toEqual(["Alice Archer"]);
    expect(await names("ally@")).toEqual(["alison Brook"]);
    // Any word of the name, not only the first: surnames.
    expect(await names("Archer")).toEqual(["Alice Archer"]);
    expect(await names("bro")).toEqual(["alison Brook"]);
    expect(await names("brook alis")).toEqual(["alison Brook"]);
    expect(await names("brook alice")).toEqual([]);
    expect(await names("rcher")).toEqual([]); // prefix of a word, not a substring
    expect(await names("zz")).toEqual([]);
    // LIKE wildcards mean nothing here.
    expect(await names("%")).toEqual([]);
    expect(await names("_")).toEqual([]);
    // The other clinic's "Alien" is never returned.
    expect((await names("")).length).toBe(3);

    const otherNames = ((await (await authed(other.tokens.admin).get("/api/patients?q=ali")).json<any>()).patients as any[]).map((p) => p.name);
    expect(otherNames).toEqual(["Alien Other"]);
  });

  it("returns the contract shape and honours limit", async () => {
    const f = await makeClinic({ patients: Array.from({ length: 7 }, (_, i) => ({ name: `Carol ${i}`, phone: `0100 ${i}`, dateOfBirth: "1980-05-0" + (i + 1) })) });
    const res = await authed(f.tokens.doctor).get("/api/patients?q=carol&limit=5");
    const body = await res.json<any>();
    expect(body.patients).toHaveLength(5);
    expect(Object.keys(body.patients[0]).sort()).toEqual(["dateOfBirth", "email", "id", "name", "phone"]);
    expect(body.patients.map((p: any) => p.name)).toEqual(["Carol 0", "Carol 1", "Carol 2", "Carol 3", "Carol 4"]);
  });

  it.each(["name_lc", "phone_digits", "email"] as SearchColumn[])("searches %s through its index, without a sort step", async (col) => {
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${searchSql(col)}`).bind("x", "ab", "ab" + MAX_CHAR, 20).all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join(" | ");
    const idx = { name_lc: "patients_name_idx", phone_digits: "patients_phone_idx", email: "patients_email_idx" }[col];
    expect(details).toContain(`USING INDEX ${idx} (clinic_id=? AND ${col}>? AND ${col}<?)`);
    expect(details).not.toContain("TEMP B-TREE");
  });
});

describe("patient search by any word of the name", () => {
  it("finds hyphenated and later words, and follows renames", async () => {
    const f = await makeClinic({ patients: 0 });
    const api = authed(f.tokens.receptionist);
    const created = await api.post("/api/patients", { name: "Mary-Ann Smith-Jones" });
    const id = (await created.json<any>()).patient.id;
    const ids = async (q: string) => ((await (await api.get(`/api/patients?q=${encodeURIComponent(q)}`)).json<any>()).patients as any[]).map((p) => p.id);
    for (const q of ["mary", "ann", "smith", "jones", "smith-j", "jones mary"]) expect(await ids(q), q).toEqual([id]);
    expect((await api.patch(`/api/patients/${id}`, { name: "Mary Brown" })).status).toBe(200);
    expect(await ids("jones")).toEqual([]);
    expect(await ids("brown")).toEqual([id]);
    const terms = await env.DB.prepare("SELECT term FROM patient_terms WHERE patient_id = ? ORDER BY term").bind(id).all<{ term: string }>();
    expect(terms.results.map((r) => r.term)).toEqual(["brown", "mary"]);
  });

  it("uses the patient_terms primary key for the word range", async () => {
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${termSearchSql}`).bind("x", "ab", "ab" + MAX_CHAR, 20).all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join(" | ");
    expect(details).toMatch(/SEARCH t USING (COVERING )?INDEX sqlite_autoindex_patient_terms_1 \(clinic_id=\? AND term>\? AND term<\?\)/);
    expect(details).toMatch(/SEARCH p USING INDEX sqlite_autoindex_patients_1 \(id=\?\)/);
  });
});

describe("patient create and update", () => {
  it("creates a patient (201), audits it, and the patient is searchable", async () => {
    const f = await makeClinic({ patients: 0 });
    const api = authed(f.tokens.receptionist);
    const res = await api.post("/api/patients", { name: "  Dana  Eve ", phone: "+1 (555) 010-9999", email: "Dana@Mail.Example", dateOfBirth: "1990-02-28" });
    expect(res.status).toBe(201);
    const { patient } = await res.json<any>();
    expect(patient).toMatchObject({ name: "Dana  Eve", phone: "+1 (555) 010-9999", email: "dana@mail.example", dateOfBirth: "1990-02-28" });
    expect(patient.id).toMatch(/^[0-9a-f]{32}$/);
    const stored = await env.DB.prepare("SELECT name_lc, phone_digits, clinic_id FROM patients WHERE id = ?").bind(patient.id).first<any>();
    expect(stored).toEqual({ name_lc: "dana eve", phone_digits: "15550109999", clinic_id: f.clinic.id });
    expect(await countRows("audit_log", "entity_id = ? AND action = 'patient.create' AND actor_user_id = ?", patient.id, f.receptionist.user.id)).toBe(1);
    const found = await (await api.get("/api/patients?q=dana e")).json<any>();
    expect(found.patients.map((p: any) => p.id)).toEqual([patient.id]);
  });

  it("updates fields, keeps the search columns in step and audits before/after", async () => {
    const f = await makeClinic({ patients: [{ name: "Evan Old", phone: "111" }] });
    const p = f.patients[0];
    const api = authed(f.tokens.doctor);
    const res = await api.patch(`/api/patients/${p.id}`, { name: "Frank New", phone: "222 333" });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).patient).toMatchObject({ id: p.id, name: "Frank New", phone: "222 333", email: p.email });
    expect((await (await api.get("/api/patients?q=frank")).json<any>()).patients.map((x: any) => x.id)).toEqual([p.id]);
    expect((await (await api.get("/api/patients?q=evan")).json<any>()).patients).toEqual([]);
    expect((await (await api.get("/api/patients?q=222333")).json<any>()).patients.map((x: any) => x.id)).toEqual([p.id]);
    const audit = await env.DB.prepare("SELECT summary FROM audit_log WHERE entity_id = ? AND action = 'patient.update'").bind(p.id).first<{ summary: string }>();
    expect(JSON.parse(audit!.summary)).toEqual({ before: { name: "Evan Old", phone: "111" }, after: { name: "Frank New", phone: "222 333" } });
  });

  it("a corrected e-mail address: invites not sent yet go to the new address; a cleared one stops them", async () => {
    const f = await makeClinic({ patients: [{ name: "Ida Moved", email: "ida@old.example" }, { name: "Other One", email: "other@mail.example" }] });
    const [ida, other] = f.patients;
    const api = authed(f.tokens.receptionist);
    const booked = (await (await api.post("/api/appointments", { doctorId: f.doctors[0].doctor.id, patientId: ida.id, start: "2027-03-01T10:00:00.000Z", end: "2027-03-01T10:30:00.000Z" })).json<any>()).appointment;
    // Rows waiting for a retry: Ida's (with her patient id, and one from before migration 0024
    // without it), another patient's, and Ida's invite already sent.
    const row = (to: string, patientId: string | null, state = "pending") =>
      env.DB.prepare(
        "INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, created_at, patient_id) VALUES (?, ?, 'REQUEST', 0, ?, ?, 1, ?, 0, ?) RETURNING id",
      )
        .bind(f.clinic.id, booked.id, to, state, Date.now() + 3_600_000, patientId)
        .first<{ id: number }>()
        .then((r) => r!.id);
    const mine = await row("ida@old.example", ida.id);
    const legacy = await row("ida@old.example", null);
    const theirs = await row("other@mail.example", other.id);
    const sent = await row("ida@old.example", ida.id, "sent");
    const addressOf = async (id: number) => env.DB.prepare("SELECT to_address AS a, state AS s FROM email_outbox WHERE id = ?").bind(id).first<{ a: string; s: string }>();

    expect((await api.patch(`/api/patients/${ida.id}`, { email: "ida@new.example" })).status).toBe(200);
    expect(await addressOf(mine)).toEqual({ a: "ida@new.example", s: "pending" });
    expect(await addressOf(legacy)).toEqual({ a: "ida@new.example", s: "pending" });
    expect(await addressOf(theirs)).toEqual({ a: "other@mail.example", s: "pending" });
    expect(await addressOf(sent)).toEqual({ a: "ida@old.example", s: "sent" }); // what was sent stays as it was

    expect((await api.patch(`/api/patients/${ida.id}`, { email: "" })).status).toBe(200);
    expect((await addressOf(mine))!.s).toBe("superseded");
    expect((await addressOf(theirs))!.s).toBe("pending");
  });

  it("answers 404 for another clinic's patient and changes nothing", async () => {
    const a = await makeClinic();
    const b = await makeClinic();
    const target = b.patients[0];
    const api = authed(a.tokens.admin);
    expect((await api.get(`/api/patients/${target.id}`)).status).toBe(404);
    const res = await api.patch(`/api/patients/${target.id}`, { name: "Hijacked" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "Patient not found." } });
    const row = await env.DB.prepare("SELECT name FROM patients WHERE id = ?").bind(target.id).first<{ name: string }>();
    expect(row?.name).toBe(target.name);
    expect(await countRows("audit_log", "entity_id = ?", target.id)).toBe(0);
  });

  it("gets one patient of the clinic by id", async () => {
    const f = await makeClinic();
    const p = await makePatient(f.clinic.id, { name: "Gina Single" });
    const res = await authed(f.tokens.receptionist).get(`/api/patients/${p.id}`);
    expect(res.status).toBe(200);
    expect((await res.json<any>()).patient).toEqual({ id: p.id, name: "Gina Single", phone: "", email: p.email, dateOfBirth: null, notes: "" });
  });
});

describe("date of birth: not after the clinic's own today", () => {
  // The clinic's date, not UTC's: a clinic far east of UTC is a day ahead for part of every day,
  // one far west a day behind. With both, whatever the hour, a UTC-date check fails one of them.
  const todayIn = (zone: string) => new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(Date.now());
  const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

  it("accepts the clinic's today (create and update) and refuses its tomorrow, east and west of UTC", async () => {
    for (const zone of ["Pacific/Kiritimati", "Australia/Sydney", "Pacific/Pago_Pago"]) {
      const f = await makeClinic({ timeZone: zone, patients: 0 });
      const api = authed(f.tokens.receptionist);
      const today = todayIn(zone);
      const made = await api.post("/api/patients", { name: "Baby Born", dateOfBirth: today });
      expect(made.status, `${zone} today ${today}`).toBe(201);
      const id = (await made.json<any>()).patient.id;
      const tomorrow = await api.post("/api/patients", { name: "Not Yet", dateOfBirth: nextDay(today) });
      expect(tomorrow.status, `${zone} tomorrow`).toBe(422);
      expect(JSON.stringify(await tomorrow.json())).toContain("dateOfBirth");
      expect((await api.patch(`/api/patients/${id}`, { dateOfBirth: nextDay(today) })).status, `${zone} patch tomorrow`).toBe(422);
      expect((await api.patch(`/api/patients/${id}`, { dateOfBirth: today })).status, `${zone} patch today`).toBe(200);
    }
    expect(await countRows("patients", "name = 'Not Yet'")).toBe(0);
  });
});
