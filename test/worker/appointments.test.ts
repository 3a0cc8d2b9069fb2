import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authed, countRows, makeClinic, queuedCalendar, snapshotCounts } from "../helpers";

// Monday 2026-01-05; clinic zone Europe/London (UTC+0 in January); hours 09–12, 13–17.
const at = (hhmm: string, day = "2026-01-05") => `${day}T${hhmm}:00.000Z`;

async function book(api: ReturnType<typeof authed>, body: Record<string, unknown>) {
  const res = await api.post("/api/appointments", body);
  return { res, body: (await res.json()) as any };
}

describe("appointments CRUD and rules", () => {
  it("creates, reads, lists, updates, cancels; each change audited and put in the sync outbox", async () => {
    const f = await makeClinic();
    const rec = authed(f.tokens.receptionist);
    const d = f.doctors[0].doctor;
    const p = f.patients[0];
    const { res, body } = await book(rec, { doctorId: d.id, patientId: p.id, start: at("09:00"), end: at("09:30"), reason: "Cough" });
    expect(res.status).toBe(201);
    const a = body.appointment;
    expect(a).toMatchObject({
      clinicId: f.clinic.id,
      doctorId: d.id,
      patientId: p.id,
      patientName: p.name,
      start: at("09:00"),
      end: at("09:30"),
      status: "scheduled",
      reason: "Cough",
      version: 1,
      createdBy: f.receptionist.user.id,
    });
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);

    const got = await (await rec.get(`/api/appointments/${a.id}`)).json<any>();
    // The single read adds where calendar sync stands: none here (no integration).
    expect(got.appointment).toEqual({ ...a, sync: [] });
    const list = await (await rec.get(`/api/appointments?from=${at("00:00")}&to=${at("23:59")}&doctorId=${d.id}`)).json<any>();
    expect(list.appointments).toEqual([a]);

    const moved = await rec.patch(`/api/appointments/${a.id}`, { version: 1, start: at("10:00"), end: at("10:45"), notes: "bring x-ray" });
    expect(moved.status).toBe(200);
    const m = (await moved.json<any>()).appointment;
    expect(m).toMatchObject({ version: 2, start: at("10:00"), end: at("10:45"), notes: "bring x-ray", reason: "Cough" });
    expect(await (await rec.get(`/api/appointments/${a.id}`)).json()).toEqual({ appointment: { ...m, sync: [] } });

    const cancelled = await rec.post(`/api/appointments/${a.id}/cancel`, { version: 2 });
    expect(cancelled.status).toBe(200);
    expect((await cancelled.json<any>()).appointment).toMatchObject({ status: "cancelled", version: 3 });
    // Cancelling again changes nothing (no new version, audit or outbox row).
    const twice = await rec.post(`/api/appointments/${a.id}/cancel`, { version: 3 });
    expect(twice.status).toBe(200);
    expect((await twice.json<any>()).appointment).toMatchObject({ status: "cancelled", version: 3 });

    expect(await countRows("audit_log", "entity_id = ?", a.id)).toBe(3);
    // No calendar connected: nothing is queued for one (the next test has one).
    expect(await countRows("sync_outbox", "appointment_id = ?", a.id)).toBe(0);
    // Cancelled frees the slot.
    const again = await book(rec, { doctorId: d.id, patientId: f.patients[1].id, start: at("10:00"), end: at("10:30") });
    expect(again.res.status).toBe(201);
  });

  it("with a calendar connected, every change is queued for it in the change's own batch", async () => {
    const f = await makeClinic();
    await queuedCalendar(f.doctors[0]);
    const d = f.doctors[0].doctor;
    const rec = authed(f.tokens.receptionist);
    const a = (await book(rec, { doctorId: d.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") })).body.appointment;
    expect((await rec.patch(`/api/appointments/${a.id}`, { version: 1, start: at("10:00"), end: at("10:45") })).status).toBe(200);
    expect((await rec.post(`/api/appointments/${a.id}/cancel`, { version: 2 })).status).toBe(200);
    const outbox = await env.DB.prepare("SELECT op, version, doctor_id FROM sync_outbox WHERE appointment_id = ? ORDER BY id").bind(a.id).all();
    expect(outbox.results).toEqual([
      { op: "upsert", version: 1, doctor_id: d.id },
      { op: "upsert", version: 2, doctor_id: d.id },
      { op: "delete", version: 3, doctor_id: d.id },
    ]);
  });

  it("refuses overlaps (appointments and blocked time) and rule violations, writing nothing", async () => {
    const f = await makeClinic();
    const rec = authed(f.tokens.receptionist);
    const d = f.doctors[0].doctor;
    const p = f.patients[0];
    expect((await book(rec, { doctorId: d.id, patientId: p.id, start: at("09:00"), end: at("10:00") })).res.status).toBe(201);
    await env.DB.prepare(
      "INSERT INTO blocked_times (id, clinic_id, doctor_id, start_ms, end_ms, source, label, created_by) VALUES (?, ?, ?, ?, ?, 'google', 'x', 'sys')",
    )
      .bind("b".repeat(32), f.clinic.id, d.id, Date.parse(at("14:00")), Date.parse(at("15:00")))
      .run();
    const before = await snapshotCounts();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ start: at("09:30"), end: at("10:30") }, 409, "slot_taken"],
      [{ start: at("09:45"), end: at("10:15") }, 409, "slot_taken"],
      [{ start: at("14:30"), end: at("14:45") }, 409, "blocked_time"],
      [{ start: at("11:00"), end: at("10:30") }, 422, "validation_failed"],
      [{ start: at("11:00"), end: at("11:03") }, 422, "validation_failed"],
      [{ start: at("07:00"), end: at("07:30") }, 422, "outside_working_hours"],
      [{ start: at("11:45"), end: at("12:15") }, 422, "outside_working_hours"], // across lunch
      [{ start: at("10:00", "2026-01-10"), end: at("10:30", "2026-01-10") }, 422, "outside_working_hours"], // Saturday
      [{ start: "2026-02-30T10:00:00Z", end: at("10:30") }, 422, "validation_failed"],
      [{ start: at("10:00"), end: at("10:30"), colour: "red" }, 422, "validation_failed"],
      [{ start: at("10:00"), end: at("10:30"), allowOutsideHours: true }, 403, "forbidden"],
      [{ start: at("10:00"), end: at("10:30"), patientId: "0".repeat(32) }, 404, "not_found"],
      [{ start: at("10:00"), end: at("10:30"), doctorId: "0".repeat(32) }, 404, "not_found"],
    ];
    for (const [over, status, code] of cases) {
      const { res, body } = await book(rec, { doctorId: d.id, patientId: p.id, ...over });
      expect([JSON.stringify(over), res.status, body.error?.code]).toEqual([JSON.stringify(over), status, code]);
    }
    const bad = await rec.post("/api/appointments", "{not json");
    expect(bad.status).toBe(400);
    expect(await snapshotCounts()).toEqual(before);
    // An admin may override working hours, but never an overlap.
    const admin = authed(f.tokens.admin);
    expect((await book(admin, { doctorId: d.id, patientId: p.id, start: at("07:00"), end: at("07:30"), allowOutsideHours: true })).res.status).toBe(201);
    expect((await book(admin, { doctorId: d.id, patientId: p.id, start: at("07:15"), end: at("07:45"), allowOutsideHours: true })).res.status).toBe(409);
  });

  it("stale version → 409 version_conflict with the current record", async () => {
    const f = await makeClinic();
    const a = authed(f.tokens.receptionist);
    const b = authed(f.tokens.admin);
    const { body } = await book(a, { doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") });
    const id = body.appointment.id;
    expect((await b.patch(`/api/appointments/${id}`, { version: 1, notes: "admin was here" })).status).toBe(200);
    const stale = await a.patch(`/api/appointments/${id}`, { version: 1, notes: "receptionist overwrite" });
    expect(stale.status).toBe(409);
    const err = (await stale.json<any>()).error;
    expect(err.code).toBe("version_conflict");
    expect(err.details.current).toMatchObject({ id, version: 2, notes: "admin was here" });
    expect((await a.post(`/api/appointments/${id}/cancel`, { version: 1 })).status).toBe(409);
  });

  it("doctors edit only their own appointments; receptionists edit any; only admins delete", async () => {
    const f = await makeClinic();
    const [d1, d2] = f.doctors;
    await queuedCalendar(d1);
    const rec = authed(f.tokens.receptionist);
    const { body } = await book(rec, { doctorId: d1.doctor.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") });
    const id = body.appointment.id;
    const doc2 = authed(d2.token);
    const r1 = await doc2.patch(`/api/appointments/${id}`, { version: 1, notes: "not mine" });
    expect(r1.status).toBe(403);
    expect((await doc2.post(`/api/appointments/${id}/cancel`, { version: 1 })).status).toBe(403);
    expect((await book(doc2, { doctorId: d1.doctor.id, patientId: f.patients[0].id, start: at("11:00"), end: at("11:30") })).res.status).toBe(403);
    // Doctor 2 still sees the clinic calendar.
    expect((await doc2.get(`/api/appointments/${id}`)).status).toBe(200);
    const doc1 = authed(d1.token);
    expect((await doc1.patch(`/api/appointments/${id}`, { version: 1, notes: "mine" })).status).toBe(200);
    expect((await doc1.patch(`/api/appointments/${id}`, { version: 2, doctorId: d2.doctor.id })).status).toBe(403);
    expect((await rec.patch(`/api/appointments/${id}`, { version: 2, notes: "front desk" })).status).toBe(200);
    expect((await rec.delete(`/api/appointments/${id}`)).status).toBe(403);
    expect((await doc1.delete(`/api/appointments/${id}`)).status).toBe(403);
    const del = await authed(f.tokens.admin).delete(`/api/appointments/${id}?version=3`);
    expect(del.status).toBe(200);
    expect((await rec.get(`/api/appointments/${id}`)).status).toBe(404);
    expect(await countRows("sync_outbox", "appointment_id = ? AND op = 'delete'", id)).toBe(1);
  });

  it("another clinic's appointment, doctor or patient answers 404 and is not changed", async () => {
    const f = await makeClinic();
    const other = await makeClinic();
    const { body } = await book(authed(f.tokens.receptionist), {
      doctorId: f.doctors[0].doctor.id,
      patientId: f.patients[0].id,
      start: at("09:00"),
      end: at("09:30"),
    });
    const id = body.appointment.id;
    const x = authed(other.tokens.admin);
    expect((await x.get(`/api/appointments/${id}`)).status).toBe(404);
    expect((await x.patch(`/api/appointments/${id}`, { version: 1, notes: "hack" })).status).toBe(404);
    expect((await x.post(`/api/appointments/${id}/cancel`, { version: 1 })).status).toBe(404);
    expect((await x.delete(`/api/appointments/${id}`)).status).toBe(404);
    const list = await (await x.get(`/api/appointments?from=${at("00:00")}&to=${at("23:00")}`)).json<any>();
    expect(list.appointments).toEqual([]);
    expect((await book(x, { doctorId: f.doctors[0].doctor.id, patientId: other.patients[0].id, start: at("10:00"), end: at("10:30") })).res.status).toBe(404);
    expect((await book(x, { doctorId: other.doctors[0].doctor.id, patientId: f.patients[0].id, start: at("10:00"), end: at("10:30") })).res.status).toBe(404);
    // Moving our appointment to their doctor is refused too.
    expect((await authed(f.tokens.admin).patch(`/api/appointments/${id}`, { version: 1, doctorId: other.doctors[0].doctor.id })).status).toBe(404);
    expect((await authed(f.tokens.admin).get(`/api/appointments/${id}`)).status).toBe(200);
  });

  it("reschedules to another doctor only into a free slot, and tells both calendars' outboxes", async () => {
    const f = await makeClinic();
    const [d1, d2] = f.doctors;
    await queuedCalendar(d1);
    await queuedCalendar(d2);
    const rec = authed(f.tokens.receptionist);
    const a = (await book(rec, { doctorId: d1.doctor.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") })).body.appointment;
    await book(rec, { doctorId: d2.doctor.id, patientId: f.patients[1].id, start: at("09:00"), end: at("09:30") });
    const clash = await rec.patch(`/api/appointments/${a.id}`, { version: 1, doctorId: d2.doctor.id });
    expect(clash.status).toBe(409);
    expect((await clash.json<any>()).error.code).toBe("slot_taken");
    const ok = await rec.patch(`/api/appointments/${a.id}`, { version: 1, doctorId: d2.doctor.id, start: at("10:00"), end: at("10:30") });
    expect(ok.status).toBe(200);
    expect((await ok.json<any>()).appointment).toMatchObject({ doctorId: d2.doctor.id, version: 2 });
    const outbox = await env.DB.prepare("SELECT op, doctor_id FROM sync_outbox WHERE appointment_id = ? AND version = 2 ORDER BY id").bind(a.id).all();
    expect(outbox.results).toEqual([
      { op: "delete", doctor_id: d1.doctor.id },
      { op: "upsert", doctor_id: d2.doctor.id },
    ]);
  });

  it("lists by clinic range with a status filter, including appointments that started before the range", async () => {
    const f = await makeClinic();
    const admin = authed(f.tokens.admin);
    const [d1, d2] = f.doctors;
    const p = f.patients[0].id;
    const long = (await book(admin, { doctorId: d1.doctor.id, patientId: p, start: at("06:00"), end: at("15:00"), allowOutsideHours: true })).body.appointment;
    const b = (await book(admin, { doctorId: d2.doctor.id, patientId: p, start: at("13:00"), end: at("13:30") })).body.appointment;
    const c = (await book(admin, { doctorId: d2.doctor.id, patientId: p, start: at("14:00"), end: at("14:30"), status: "confirmed" })).body.appointment;
    await book(admin, { doctorId: d2.doctor.id, patientId: p, start: at("09:00"), end: at("09:30") });
    const q = (s: string) => admin.get(`/api/appointments?from=${at("13:00")}&to=${at("17:00")}${s}`).then((r) => r.json<any>());
    expect((await q("")).appointments.map((x: any) => x.id)).toEqual([long.id, b.id, c.id]);
    expect((await q("&status=confirmed")).appointments.map((x: any) => x.id)).toEqual([c.id]);
    expect((await q(`&doctorId=${d2.doctor.id}&status=scheduled,confirmed`)).appointments.map((x: any) => x.id)).toEqual([b.id, c.id]);
    const bad = await admin.get(`/api/appointments?from=${at("13:00")}&to=${at("12:00")}`);
    expect(bad.status).toBe(422);
    expect((await admin.get(`/api/appointments?from=${at("13:00")}&to=${at("14:00")}&status=bogus`)).status).toBe(422);
  });
});

describe("bad input", () => {
  it("answers each malformed request with the right 4xx and writes nothing", async () => {
    const f = await makeClinic();
    const api = authed(f.tokens.receptionist);
    const d = f.doctors[0].doctor.id;
    const p = f.patients[0].id;
    const ok = { doctorId: d, patientId: p, start: at("09:00"), end: at("09:30") };
    const created = (await book(api, ok)).body.appointment;
    const before = await snapshotCounts();
    const post = (body: unknown, headers?: HeadersInit) => api.post("/api/appointments", body, headers);
    const patch = (body: unknown) => api.patch(`/api/appointments/${created.id}`, body);
    const cases: Array<[string, Promise<Response>, number, string]> = [
      ["malformed JSON", post("{\"doctorId\":"), 400, "bad_request"],
      ["not JSON content type", post(JSON.stringify(ok), { "content-type": "text/plain" }), 415, "unsupported_media_type"],
      ["array body", post([ok]), 422, "validation_failed"],
      ["number as start", post({ ...ok, start: 1767603600000 }), 422, "validation_failed"],
      ["start without zone", post({ ...ok, start: "2026-01-05T09:00:00" }), 422, "validation_failed"],
      ["impossible date", post({ ...ok, start: "2026-13-01T09:00:00Z" }), 422, "validation_failed"],
      ["unknown status", post({ ...ok, status: "maybe" }), 422, "validation_failed"],
      ["unknown field", post({ ...ok, id: "f".repeat(32) }), 422, "validation_failed"],
      ["bad doctor id", post({ ...ok, doctorId: "../etc" }), 422, "validation_failed"],
      ["notes too long", post({ ...ok, start: at("10:00"), end: at("10:30"), notes: "x".repeat(5001) }), 422, "validation_failed"],
      ["oversize body", post({ ...ok, notes: "x".repeat(300 * 1024) }), 413, "payload_too_large"],
      ["patch without version", patch({ notes: "x" }), 422, "validation_failed"],
      ["patch version as string", patch({ version: "1", notes: "x" }), 422, "validation_failed"],
      ["patch with nothing to change", patch({ version: 1 }), 422, "validation_failed"],
      ["patch end before start", patch({ version: 1, end: at("08:00") }), 422, "validation_failed"],
      ["patch unknown id", api.patch(`/api/appointments/${"0".repeat(32)}`, { version: 1, notes: "x" }), 404, "not_found"],
      ["patch malformed id", api.patch("/api/appointments/nope", { version: 1, notes: "x" }), 404, "not_found"],
      ["forged token", authed(f.tokens.admin.slice(0, -3) + "abc").post("/api/appointments", ok), 401, "unauthorized"],
      ["no session", authed(null).post("/api/appointments", ok), 401, "unauthorized"],
      ["list without range", api.get("/api/appointments"), 422, "validation_failed"],
      ["list range too long", api.get(`/api/appointments?from=${at("00:00")}&to=2026-06-01T00:00:00Z`), 422, "validation_failed"],
    ];
    for (const [name, resP, status, code] of cases) {
      const res = await resP;
      const body = await res.json<any>();
      expect([name, res.status, body.error?.code]).toEqual([name, status, code]);
    }
    // Cookie-authenticated write from another site is refused.
    const csrf = await authed(null).post("/api/appointments", ok, { cookie: `acms_session=${f.tokens.admin}`, origin: "https://evil.example" });
    expect(csrf.status).toBe(403);
    expect(await snapshotCounts()).toEqual(before);
  });
});

describe("concurrent booking", () => {
  it("50 concurrent POSTs for the same slot → exactly one 201 and 49 409", async () => {
    const f = await makeClinic({ patients: 5 });
    const rec = authed(f.tokens.receptionist);
    const d = f.doctors[0].doctor;
    await queuedCalendar(f.doctors[0]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        rec.post("/api/appointments", { doctorId: d.id, patientId: f.patients[i % 5].id, start: at("11:00"), end: at("11:30") }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results) if (r.status === 409) expect((await r.json<any>()).error.code).toBe("slot_taken");
    expect(await countRows("appointments", "doctor_id = ?", d.id)).toBe(1);
    expect(await countRows("sync_outbox", "doctor_id = ?", d.id)).toBe(1);
  });

  it("20 concurrent edits of the same version → one 200, 19 version_conflict", async () => {
    const f = await makeClinic();
    const api = authed(f.tokens.receptionist);
    const a = (await book(api, { doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") })).body.appointment;
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => api.patch(`/api/appointments/${a.id}`, { version: 1, notes: `edit ${i}` })));
    expect(rs.filter((r) => r.status === 200)).toHaveLength(1);
    const conflicts = rs.filter((r) => r.status === 409);
    expect(conflicts).toHaveLength(19);
    const winner = await (await api.get(`/api/appointments/${a.id}`)).json<any>();
    expect(winner.appointment.version).toBe(2);
    for (const r of conflicts) expect((await r.json<any>()).error).toMatchObject({ code: "version_conflict", details: { current: { version: 2, notes: winner.appointment.notes } } });
  });

  it("the SQL guard alone refuses an overlapping write that bypasses the hub lock", async () => {
    const f = await makeClinic();
    const d = f.doctors[0].doctor;
    const { createAppointment, systemCaller } = await import("../../worker/appointments/write");
    const input = { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[0].id, startMs: Date.parse(at("09:00")), endMs: Date.parse(at("09:30")) };
    // Both read "free" before either commits: only the batch guard can stop the second.
    const rs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        createAppointment(env, systemCaller("test"), { ...input, startMs: input.startMs + i * 60_000 }, { origin: "acms" }),
      ),
    );
    expect(rs.filter((r) => r.ok)).toHaveLength(1);
    expect(rs.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(Array(7).fill("slot_taken"));
    expect(await countRows("appointments", "doctor_id = ?", d.id)).toBe(1);
    expect(await countRows("audit_log", "action = 'appointment.create' AND clinic_id = ?", f.clinic.id)).toBe(1);
  });

  it("sync engines use the same write path: origin google skips working hours, never overlap; extra statements commit with it", async () => {
    const f = await makeClinic();
    const d = f.doctors[0].doctor;
    const { createAppointment, updateAppointment, systemCaller } = await import("../../worker/appointments/write");
    const { sql } = await import("drizzle-orm");
    const google = systemCaller("google-sync");
    const link = (apptId: string, ext: string) => (db: any) => [
      db.run(sql`INSERT INTO appointment_links (appointment_id, integration_id, external_id, external_calendar_id, synced_version, state)
        VALUES (${apptId}, ${"i".repeat(32)}, ${ext}, 'primary', 1, 'synced')`),
    ];
    const id = "c".repeat(32);
    const input = { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[0].id, startMs: Date.parse(at("07:00")), endMs: Date.parse(at("07:30")), id };
    const r = await createAppointment(env, google, input, { origin: "google", extra: link(id, "ext1") });
    expect(r.ok).toBe(true);
    expect(await countRows("appointment_links", "appointment_id = ?", id)).toBe(1);
    const audit = await env.DB.prepare("SELECT actor_label, summary FROM audit_log WHERE entity_id = ?").bind(id).first<any>();
    expect(audit.actor_label).toBe("system:google-sync");
    expect(JSON.parse(audit.summary).origin).toBe("google");

    const id2 = "d".repeat(32);
    const clash = await createAppointment(env, google, { ...input, id: id2, startMs: Date.parse(at("07:15")), endMs: Date.parse(at("07:45")) }, { origin: "google", extra: link(id2, "ext2") });
    expect(clash.ok ? "ok" : clash.error.code).toBe("slot_taken");
    expect(await countRows("appointment_links", "appointment_id = ?", id2)).toBe(0);

    const moved = await updateAppointment(env, google, f.clinic.id, id, { version: 1, startMs: Date.parse(at("18:00")), endMs: Date.parse(at("18:30")) }, { origin: "google" });
    expect(moved.ok && moved.appointment.version).toBe(2);
    // The same move from the API (origin acms, not admin) is outside working hours.
    const api = await updateAppointment(env, { ...google, role: "receptionist" }, f.clinic.id, id, { version: 2, startMs: Date.parse(at("19:00")), endMs: Date.parse(at("19:30")) }, { origin: "acms" });
    expect(api.ok ? "ok" : api.error.code).toBe("outside_working_hours");
  });
});
