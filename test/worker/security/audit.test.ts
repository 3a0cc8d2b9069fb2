// The audit trail (issue #8): append-only at the database level (triggers refuse UPDATE
// and DELETE, for every writer, not only our code), and an edit of notes or reason
// records THAT they changed (by name), never their text.
import { describe, expect, it } from "vitest";
import { changedFields } from "../../../worker/db/audit-diff";
import { authed, countRows, env, makeClinic } from "../../helpers";

const MONDAY = "2027-01-04";

async function bookWithNotes() {
  const f = await makeClinic({ doctors: 1, patients: 1 });
  const api = authed(f.tokens.receptionist);
  const res = await api.post("/api/appointments", {
    doctorId: f.doctors[0].doctor.id,
    patientId: f.patients[0].id,
    start: `${MONDAY}T09:00:00Z`,
    end: `${MONDAY}T09:30:00Z`,
    reason: "Persistent cough",
    notes: "History of asthma",
  });
  expect(res.status).toBe(201);
  return { f, api, appt: (await res.json<any>()).appointment };
}

const entries = (id: string) =>
  env.DB.prepare("SELECT action, summary FROM audit_log WHERE entity_id = ? ORDER BY id").bind(id).all<{ action: string; summary: string }>();

describe("audit_log is append-only", () => {
  it("UPDATE and DELETE of audit rows are refused by the database; the rows stay as they were", async () => {
    const { appt } = await bookWithNotes();
    const before = (await entries(appt.id)).results;
    expect(before).toHaveLength(1);
    await expect(env.DB.prepare("UPDATE audit_log SET summary = '{}' WHERE entity_id = ?").bind(appt.id).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("UPDATE audit_log SET actor_label = 'someone else'").run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM audit_log WHERE entity_id = ?").bind(appt.id).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM audit_log").run()).rejects.toThrow(/append-only/);
    expect((await entries(appt.id)).results).toEqual(before);
  });

  it("a batch that tries to rewrite history rolls back as a whole", async () => {
    const { f, appt } = await bookWithNotes();
    const n = await countRows("patients");
    await expect(
      env.DB.batch([
        env.DB.prepare("INSERT INTO patients (id, clinic_id, name, name_lc) VALUES (?, ?, 'X', 'x')").bind(crypto.randomUUID().replaceAll("-", ""), f.clinic.id),
        env.DB.prepare("DELETE FROM audit_log WHERE entity_id = ?").bind(appt.id),
      ]),
    ).rejects.toThrow(/append-only/);
    expect(await countRows("patients")).toBe(n);
  });

  it("inserting still works (the API's own writes are audited as before)", async () => {
    const { api, appt } = await bookWithNotes();
    const res = await api.patch(`/api/appointments/${appt.id}`, { version: appt.version, type: "follow-up" });
    expect(res.status).toBe(200);
    expect((await entries(appt.id)).results.map((e) => e.action)).toEqual(["appointment.create", "appointment.update"]);
  });
});

describe("notes-only and reason-only edits say which fields changed, not their text", () => {
  it("a notes-only edit records changed: [notes] and no note text", async () => {
    const { api, appt } = await bookWithNotes();
    const res = await api.patch(`/api/appointments/${appt.id}`, { version: appt.version, notes: "Now also: penicillin allergy" });
    expect(res.status).toBe(200);
    const last = (await entries(appt.id)).results.at(-1)!;
    const summary = JSON.parse(last.summary);
    expect(summary.changed).toEqual(["notes"]);
    expect(last.summary).not.toMatch(/penicillin|asthma|cough/i);
  });

  it("a reason-only edit records changed: [reason]; an edit of both and the time lists all three", async () => {
    const { api, appt } = await bookWithNotes();
    const r1 = await api.patch(`/api/appointments/${appt.id}`, { version: appt.version, reason: "Fever" });
    expect(r1.status).toBe(200);
    const v2 = (await r1.json<any>()).appointment.version;
    expect(JSON.parse((await entries(appt.id)).results.at(-1)!.summary).changed).toEqual(["reason"]);
    const r2 = await api.patch(`/api/appointments/${appt.id}`, { version: v2, reason: "Rash", notes: "n", start: `${MONDAY}T10:00:00Z`, end: `${MONDAY}T10:30:00Z` });
    expect(r2.status).toBe(200);
    const s = JSON.parse((await entries(appt.id)).results.at(-1)!.summary);
    expect(s.changed).toEqual(["start", "end", "reason", "notes"]);
    expect(s.before.start).toBe(`${MONDAY}T09:00:00.000Z`);
    expect(JSON.stringify(s)).not.toMatch(/Fever|Rash|asthma/);
  });

  it.each([
    [{ a: 1, notes: "x" }, { a: 1, notes: "y" }, ["notes"]],
    [{ a: 1, notes: "x" }, { a: 2, notes: "x" }, ["a"]],
    [{ a: 1, notes: "x" }, { a: 1, notes: "x" }, []],
    [null, { a: 1, notes: "x" }, []],
  ])("changedFields(%o, %o) = %o", (b, a, out) => {
    expect(changedFields(b as any, a as any, ["a", "notes"] as any)).toEqual(out);
  });
});
