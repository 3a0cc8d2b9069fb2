// Scheduling suggestions end to end in workerd with real D1: the nightly training from the
// clinic's own history, risk badges' data, the front desk's call list, ranked slots from a
// free-text request, settings, and the extra SMS for high-risk patients through the reminders table.
import { beforeAll, describe, expect, it } from "vitest";
import { authed, type ClinicFixture, env, json, makeClinic } from "../../helpers";
import { newId } from "../../../worker/ids";
import { suggestionsCron } from "../../../worker/suggestions/train";
import { utcToLocal } from "../../../worker/scheduling/zone";
import { mulberry32 } from "../../../scripts/prng";
import { drainReminders } from "../../../worker/reminders/send";
import { TwilioEmulator } from "../../fakes/twilio/emulator";
import { installTwilioEmulator } from "../../fakes/twilio/router";

const DAY = 86_400_000;
const HOUR = 3_600_000;

function insertAppointment(f: ClinicFixture, o: { patient: number; doctor?: number; startMs: number; minutes?: number; status: string; bookedMs?: number; type?: string }) {
  const id = newId();
  const p = f.patients[o.patient];
  return {
    id,
    stmt: env.DB.prepare(
      "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, status, created_by, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'test', 'test', ?, ?)",
    ).bind(id, f.clinic.id, f.doctors[o.doctor ?? 0].doctor.id, p.id, p.name, o.startMs, o.startMs + (o.minutes ?? 30) * 60_000, o.type ?? "consultation", o.status, o.bookedMs ?? o.startMs - 7 * DAY, o.bookedMs ?? o.startMs - 7 * DAY),
  };
}

describe("scheduling suggestions", () => {
  let f: ClinicFixture;
  const now = Date.now();
  let risky = "";
  let reliable = "";

  beforeAll(async () => {
    f = await makeClinic({ doctors: [{ name: "Dr Anika Patel" }, { name: "Dr Wei Ng" }], patients: [{ name: "Rita Reliable" }, { name: "Nora Noshow", phone: "07700 900123" }, { name: "Pat Average" }, { name: "Sam Steady" }, { name: "Kim Keen" }] });
    await env.DB.prepare("UPDATE patients SET sms_consent = 1 WHERE id = ?").bind(f.patients[1].id).run();
    // 420 labelled visits over the last year at seeded random times: Nora misses 3 in 4, the others 1 in 10.
    const rand = mulberry32(11);
    const stmts: D1PreparedStatement[] = [];
    for (let i = 0; i < 420; i++) {
      const patient = Math.floor(rand() * 5);
      const noShow = rand() < (patient === 1 ? 0.75 : 0.1);
      const startMs = now - 360 * DAY + Math.floor(i * 0.83) * DAY + Math.floor(rand() * 8) * HOUR;
      const a = insertAppointment(f, { patient, doctor: i % 2, startMs, status: noShow ? "no_show" : "completed", bookedMs: startMs - rand() * 20 * DAY });
      stmts.push(a.stmt);
      // Patients who came had mostly confirmed (link or "C"); those who did not, rarely.
      if (rand() < (noShow ? 0.1 : 0.6))
        stmts.push(env.DB.prepare("INSERT INTO patient_responses (clinic_id, appointment_id, action, via, at) VALUES (?, ?, 'confirm', 'sms', ?)").bind(f.clinic.id, a.id, startMs - DAY));
    }
    // A cancellation is not a visit and not a no-show: it must not count either way.
    stmts.push(insertAppointment(f, { patient: 2, startMs: now - 2 * DAY, status: "cancelled" }).stmt);
    const a = insertAppointment(f, { patient: 1, startMs: now + 30 * HOUR, status: "scheduled", bookedMs: now - 21 * DAY });
    const b = insertAppointment(f, { patient: 0, startMs: now + 31 * HOUR, status: "confirmed", doctor: 1, bookedMs: now - 2 * DAY });
    risky = a.id;
    reliable = b.id;
    for (let i = 0; i < stmts.length; i += 100) await env.DB.batch(stmts.slice(i, i + 100));
    await env.DB.batch([a.stmt, b.stmt]);
  });

  it("trains the clinic's own model from its history and stores it with date and size", async () => {
    const before = await authed(f.tokens.receptionist).get("/api/suggestions/settings");
    expect((await json(before)).model).toMatchObject({ kind: "default", trainingSize: 0 });
    await suggestionsCron(env, now);
    const row = await env.DB.prepare("SELECT kind, trained_at, training_size, base_rate FROM noshow_models WHERE clinic_id = ?").bind(f.clinic.id).first<any>();
    expect(row).toMatchObject({ kind: "trained", trained_at: now, training_size: 420 });
    const labelled = await env.DB.prepare("SELECT avg(status = 'no_show') AS r FROM appointments WHERE clinic_id = ? AND status IN ('completed','no_show')").bind(f.clinic.id).first<number>("r");
    expect(row.base_rate).toBeCloseTo(labelled!, 9);
    // Not again the same night: a second tick leaves the model alone.
    await suggestionsCron(env, now + 5 * 60_000);
    expect((await env.DB.prepare("SELECT trained_at FROM noshow_models WHERE clinic_id = ?").bind(f.clinic.id).first<any>()).trained_at).toBe(now);
  });

  it("gives every upcoming appointment a risk with a level and reasons in words", async () => {
    const api = authed(f.tokens.receptionist);
    const q = new URLSearchParams({ from: new Date(now).toISOString(), to: new Date(now + 3 * DAY).toISOString() });
    const res = await api.get(`/api/suggestions/risk?${q}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.model).toMatchObject({ kind: "trained", trainingSize: 420 });
    expect(body.risks[risky].level).toBe("high");
    expect(body.risks[risky].reasons).toContain("not confirmed yet");
    expect(body.risks[risky].reasons.some((r: string) => /earlier no-shows$/.test(r))).toBe(true);
    expect(body.risks[reliable].level).toBe("low");
    expect(body.risks[reliable].probability).toBeLessThan(body.risks[risky].probability);
    const one = await json(await api.get(`/api/suggestions/risk/${risky}`));
    expect(one.risk).toEqual(body.risks[risky]);
  });

  it("refuses bad input with a 4xx and another clinic's appointment with a 404", async () => {
    const api = authed(f.tokens.receptionist);
    expect((await api.get("/api/suggestions/risk?from=yesterday&to=2026-01-01T00:00:00Z")).status).toBe(422);
    expect((await api.get(`/api/suggestions/risk?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z`)).status).toBe(422);
    const other = await makeClinic();
    expect((await authed(other.tokens.receptionist).get(`/api/suggestions/risk/${risky}`)).status).toBe(404);
    expect((await api.post("/api/suggestions/slots", { type: "" })).status).toBe(422);
    expect((await api.post("/api/suggestions/slots", { type: "consultation", request: "x".repeat(301) })).status).toBe(422);
    expect((await api.post("/api/suggestions/slots", { type: "consultation", fromMinute: 2000 })).status).toBe(422);
    expect((await api.post("/api/suggestions/slots", { type: "consultation", weekdays: [8] })).status).toBe(422);
    expect((await api.post("/api/suggestions/slots", { type: "consultation", surprise: 1 })).status).toBe(422);
    // Another clinic's doctor is no doctor here: nothing suggested, nothing of theirs shown.
    const theirs = await json(await api.post("/api/suggestions/slots", { type: "consultation", doctorId: other.doctors[0].doctor.id }));
    expect(theirs.suggestions).toEqual([]);
    expect((await authed(other.tokens.receptionist).get(`/api/suggestions/call-list`)).status).toBe(200);
  });

  it("lists today's high-risk unconfirmed appointments for the front desk to call", async () => {
    const soon = Date.now() + 2 * 60_000;
    const sameDay = utcToLocal(f.clinic.timeZone, soon).date === utcToLocal(f.clinic.timeZone, Date.now()).date;
    const c = insertAppointment(f, { patient: 1, doctor: 1, startMs: soon, status: "scheduled", bookedMs: now - 30 * DAY });
    const d = insertAppointment(f, { patient: 0, doctor: 0, startMs: soon, status: "scheduled", bookedMs: now - DAY });
    await env.DB.batch([c.stmt, d.stmt]);
    const body = await json(await authed(f.tokens.receptionist).get("/api/suggestions/call-list"));
    const ids = body.calls.map((x: any) => x.appointmentId);
    expect(ids).not.toContain(d.id);
    // Within two minutes of the clinic's midnight "today" has no time left to list it.
    if (sameDay) expect(body.calls.find((x: any) => x.appointmentId === c.id)).toMatchObject({ patientName: "Nora Noshow", phone: "07700 900123", doctorName: "Dr Wei Ng" });
    await env.DB.prepare("DELETE FROM appointments WHERE id IN (?, ?)").bind(c.id, d.id).run();
  });

  it("ranks free slots from a free-text request and says what it understood", async () => {
    const api = authed(f.tokens.receptionist);
    const res = await api.post("/api/suggestions/slots", { patientId: f.patients[0].id, type: "consultation", request: "next Tuesday morning with Dr Patel, 30 min" });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.understood).toMatchObject({ doctorId: f.doctors[0].doctor.id, minutes: 30, fromMinute: 480, toMinute: 720 });
    expect(body.summary).toMatch(/^Tue \d+ \w{3}, 08:00–12:00, Dr Anika Patel, 30 min$/);
    expect(body.suggestions.length).toBeGreaterThanOrEqual(3);
    for (const s of body.suggestions) {
      const local = utcToLocal(f.clinic.timeZone, Date.parse(s.start));
      expect(local.weekday).toBe(2);
      expect(local.date).toBe(body.understood.fromDate);
      expect(local.time >= "09:00" && local.time < "12:00").toBe(true);
      expect(s.doctorId).toBe(f.doctors[0].doctor.id);
      expect(s.reasons.length).toBeGreaterThan(0);
    }
    // A correction wins over the words: the same request for Dr Ng instead.
    const fixed = await json(await api.post("/api/suggestions/slots", { patientId: f.patients[0].id, type: "consultation", request: "next Tuesday morning with Dr Patel, 30 min", doctorId: f.doctors[1].doctor.id }));
    expect(new Set(fixed.suggestions.map((s: any) => s.doctorId))).toEqual(new Set([f.doctors[1].doctor.id]));
    // No words: the best slots over the horizon for any doctor, never a taken time.
    const any = await json(await api.post("/api/suggestions/slots", { patientId: f.patients[1].id, type: "consultation" }));
    expect(any.suggestions.length).toBe(5);
    for (const s of any.suggestions) expect(s.start === new Date(now + 30 * HOUR).toISOString() && s.doctorId === f.doctors[0].doctor.id).toBe(false);
  });

  it("looks a horizon ahead from a corrected start date, and never offers busy time there", async () => {
    const day = utcToLocal(f.clinic.timeZone, now + 20 * DAY).date;
    const dayStart = Date.parse(`${day}T00:00:00Z`) - 2 * HOUR;
    await env.DB.batch(
      f.doctors.map((d) =>
        env.DB.prepare("INSERT INTO blocked_times (id, clinic_id, doctor_id, start_ms, end_ms, source, label, created_by) VALUES (?, ?, ?, ?, ?, 'manual', 'Course', 'test')").bind(newId(), f.clinic.id, d.doctor.id, dayStart, dayStart + 28 * HOUR),
      ),
    );
    const r = await json(await authed(f.tokens.receptionist).post("/api/suggestions/slots", { type: "consultation", fromDate: day, limit: 10 }));
    expect(r.suggestions.length).toBeGreaterThan(0);
    for (const s of r.suggestions) expect(utcToLocal(f.clinic.timeZone, Date.parse(s.start)).date > day).toBe(true);
  });

  it("keeps a doctor to their own calendar", async () => {
    const api = authed(f.doctors[1].token);
    expect((await api.post("/api/suggestions/slots", { type: "consultation", doctorId: f.doctors[0].doctor.id })).status).toBe(403);
    const own = await json(await api.post("/api/suggestions/slots", { type: "consultation" }));
    expect(new Set(own.suggestions.map((s: any) => s.doctorId))).toEqual(new Set([f.doctors[1].doctor.id]));
  });

  it("settings: only an admin changes them; validated; audited", async () => {
    expect((await authed(f.tokens.receptionist).put("/api/suggestions/settings", { horizonDays: 7 })).status).toBe(403);
    expect((await authed(f.tokens.admin).put("/api/suggestions/settings", { horizonDays: 0 })).status).toBe(422);
    expect((await authed(f.tokens.admin).put("/api/suggestions/settings", { weights: { risk: -1 } })).status).toBe(422);
    const res = await authed(f.tokens.admin).put("/api/suggestions/settings", { weights: { risk: 2 }, urgentTypes: ["urgent"] });
    expect(res.status).toBe(200);
    const s = (await json(await authed(f.tokens.receptionist).get("/api/suggestions/settings"))).settings;
    expect(s).toMatchObject({ weights: { risk: 2, habit: 1 }, urgentTypes: ["urgent"], horizonDays: 14, extraSms: { enabled: false } });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE clinic_id = ? AND action = 'suggestions.settings'").bind(f.clinic.id).first("n")).toBe(1);
  });

  it("extra SMS: a high-risk unconfirmed patient gets one extra reminder row, once; nobody else", async () => {
    // The reminders' own sender will send it (the doctor's hub is woken at once): Twilio is the emulator.
    const twilio = new TwilioEmulator("AC00000000000000000000000000000001", "twilio-test-auth-token", "+15005550006", "https://acms.test/api/webhooks/twilio/sms");
    const uninstall = installTwilioEmulator(twilio);
    try {
      const count = () => env.DB.prepare("SELECT count(*) AS n FROM reminders WHERE offset_minutes = 2880 AND appointment_id IN (?, ?)").bind(risky, reliable).first<number>("n");
      await suggestionsCron(env, Date.now());
      expect(await count()).toBe(0); // off by default
      await authed(f.tokens.admin).put("/api/suggestions/settings", { extraSms: { enabled: true, hoursBefore: 48 } });
      await suggestionsCron(env, Date.now());
      await suggestionsCron(env, Date.now());
      const rows = await env.DB.prepare("SELECT appointment_id, channel, state, due_at, start_ms FROM reminders WHERE offset_minutes = 2880").all<any>();
      const mine = rows.results.filter((r) => r.appointment_id === risky || r.appointment_id === reliable);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ appointment_id: risky, channel: "sms", start_ms: now + 30 * HOUR });
      expect(await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'reminder.extra_sms'").bind(risky).first("n")).toBe(1);
      // Sent by the reminders' sender when due (now, or when the clinic's quiet hours end): one text, once.
      const due = mine[0].due_at as number;
      await drainReminders(env, f.doctors[0].doctor.id, Math.max(Date.now(), due) + 1000);
      await drainReminders(env, f.doctors[0].doctor.id, Math.max(Date.now(), due) + 2000);
      expect(twilio.messages).toHaveLength(1);
      expect(twilio.messages[0].to).toBe("+447700900123");
      expect(twilio.messages[0].body).toMatch(/\/r\/[A-Za-z0-9_-]{32}/);
      expect(twilio.messages[0].body).not.toContain("Nora");
      expect(await env.DB.prepare("SELECT state FROM reminders WHERE appointment_id = ? AND offset_minutes = 2880").bind(risky).first("state")).toBe("sent");
    } finally {
      uninstall();
    }
  });
});
