// Self-reschedule from the patient's page /r/<token>: the list of times (window, cut-off, type
// duration, working hours, busy time), the move through the normal write path, a time taken
// meanwhile, the per-appointment limit, clinic switches and an expired link — all through the
// real route in workerd.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issuePatientLink } from "../../../worker/patient-links/links";
import { patientReschedule } from "../../../worker/patient-links/reschedule";
import { isoWeekday, localToUtc, utcToLocal } from "../../../worker/scheduling/zone";
import { hubIdle } from "./offer-client";
import { weekdayAhead, ZONE } from "./dates";
import { authed, countRows, makeClinic, queuedCalendar, worker } from "../../helpers";

let ipSeq = 1;
const page = (path: string, init: RequestInit = {}, ip = `198.51.100.${100 + ipSeq}`) =>
  worker.fetch(new Request(`http://localhost/r/${path}`, { ...init, headers: { "cf-connecting-ip": ip, ...(init.headers ?? {}) } }));
const post = (token: string, body: string) => page(token, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });

const at = (date: string, time: string) => localToUtc(ZONE, date, time);
/** The start times (epoch ms) offered on the choices page. */
const offered = (html: string) => [...html.matchAll(/name="start" value="(\d+)"/g)].map((m) => Number(m[1]));

async function setup(opts: { minutes?: number; type?: string; settings?: Record<string, unknown> } = {}) {
  ipSeq++;
  const f = await makeClinic({ name: "Riverside Clinic", timeZone: ZONE, patients: [{ name: "Quinn Q", email: "q@mail.example" }] });
  const frontDesk = f.receptionist;
  await authed(f.tokens.admin).put("/api/clinic/reminders", { phone: "020 7946 0000", cancelCutoffMinutes: 120 });
  if (opts.settings) await env.DB.prepare(`UPDATE clinics SET ${Object.keys(opts.settings).map((k) => `${k} = ?`).join(", ")} WHERE id = ?`).bind(...Object.values(opts.settings), f.clinic.id).run();
  const d = f.doctors[0].doctor;
  await queuedCalendar(f.doctors[0]); // so the write path's sync outbox row shows (only doctors with a calendar get one)
  const day = weekdayAhead(0);
  const start = at(day, "10:00");
  const res = await authed(f.tokens.receptionist).post("/api/appointments", {
    doctorId: d.id,
    patientId: f.patients[0].id,
    start: new Date(start).toISOString(),
    end: new Date(start + (opts.minutes ?? 30) * 60_000).toISOString(),
    type: opts.type ?? "consultation",
    reason: "REASON-SECRET",
  });
  expect(res.status).toBe(201);
  const a = (await res.json<any>()).appointment;
  await hubIdle(d.id);
  const link = await issuePatientLink(env.DB, env.APP_URL, { clinicId: f.clinic.id, appointmentId: a.id, endMs: Date.parse(a.end) });
  await link.statement.run();
  return { f, d, a, day, token: link.token, frontDesk };
}

describe("self-reschedule from the patient link", () => {
  it("offers the doctor's free times for the same duration inside working hours, the window and outside the cut-off, grouped by day", async () => {
    const { f, d, a, day, token } = await setup({ minutes: 60 });
    const html = await (await page(token)).text();
    expect(html).toContain("Choose another time");
    expect(html).toContain(`/r/${token}?choose=1`);

    // Staff book 11:00–11:30 on the same day: a 60-minute visit cannot start at 10:30 or 11:00 any more.
    const other = await authed(f.tokens.receptionist).post("/api/appointments", {
      doctorId: d.id,
      patientId: f.patients[0].id,
      start: new Date(at(day, "11:00")).toISOString(),
      end: new Date(at(day, "11:30")).toISOString(),
    });
    expect(other.status).toBe(201);
    const choices = await page(`${token}?choose=1`);
    expect(choices.status).toBe(200);
    const list = await choices.text();
    expect(list).not.toContain("<script");
    const starts = offered(list);
    expect(starts.length).toBeGreaterThan(10);
    const now = Date.now();
    for (const s of starts) {
      const local = utcToLocal(ZONE, s);
      const end = utcToLocal(ZONE, s + 60 * 60_000);
      // Working hours 09:00–12:00 and 13:00–17:00 on weekdays, the whole hour inside one period.
      expect(isoWeekday(local.date)).toBeLessThanOrEqual(5);
      expect((local.time >= "09:00" && end.time <= "12:00") || (local.time >= "13:00" && end.time <= "17:00")).toBe(true);
      expect(s).toBeGreaterThanOrEqual(now + 120 * 60_000); // never inside the cut-off
      expect(s + 3600_000).toBeLessThanOrEqual(now + 14 * 86_400_000 + 60_000); // the 14-day window
      expect(s).not.toBe(Date.parse(a.start)); // not its own time
    }
    // On the grid of the doctor's 30-minute slots, and nothing overlapping the 11:00 booking.
    expect(starts).toContain(at(day, "13:00"));
    expect(starts).toContain(at(day, "13:30"));
    expect(starts).not.toContain(at(day, "10:30"));
    expect(starts).not.toContain(at(day, "11:00"));
    expect(starts).not.toContain(at(day, "16:30")); // 16:30 + 60 min runs past 17:00
    // Grouped by day: one <details> per day, in order.
    expect(list.match(/<details/g)!.length).toBeGreaterThan(3);
    expect([...starts].sort((x, y) => x - y)).toEqual(starts);
    for (const s of ["Quinn", "REASON-SECRET", "q@mail.example"]) expect(list).not.toContain(s);
  });

  it("moves the appointment through the write path: audit 'patient via link', invite update, reminders re-planned, notices to doctor and front desk", async () => {
    const { f, d, a, token, frontDesk } = await setup();
    const target = at(weekdayAhead(2), "14:30");
    const res = await post(token, `action=reschedule&start=${target}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Your appointment is moved to");
    expect(html).toContain("14:30");
    const row = await env.DB.prepare("SELECT start_ms, end_ms, version, status FROM appointments WHERE id = ?").bind(a.id).first<any>();
    expect(row.start_ms).toBe(target);
    expect(row.end_ms).toBe(target + 30 * 60_000);
    expect(row.version).toBe(a.version + 1);
    const audit = await env.DB.prepare("SELECT actor_label, action FROM audit_log WHERE entity_id = ? ORDER BY id DESC LIMIT 1").bind(a.id).first<any>();
    expect(audit).toEqual({ actor_label: "patient via link", action: "appointment.update" });
    // Invite update with the next SEQUENCE, sync outbox for the doctor's calendars, reminders at the new time.
    expect(await countRows("email_outbox", "appointment_id = ? AND method = 'REQUEST' AND sequence = ?", a.id, a.version)).toBe(1);
    expect(await countRows("sync_outbox", "appointment_id = ? AND version = ?", a.id, a.version + 1)).toBe(1);
    expect(await countRows("reminders", "appointment_id = ? AND state = 'pending' AND start_ms != ?", a.id, target)).toBe(0);
    expect(await countRows("reminders", "appointment_id = ? AND state = 'pending' AND start_ms = ?", a.id, target)).toBeGreaterThan(0);
    for (const user of [f.doctors[0].user.id, frontDesk.user.id]) {
      const n = await env.DB.prepare("SELECT message FROM notices WHERE entity_id = ? AND kind = 'patient_rescheduled' AND user_id = ?").bind(a.id, user).first<any>();
      expect(n.message).toMatch(/^Quinn Q moved their appointment from .+10:00 to .+14:30/);
    }
    expect(await countRows("patient_responses", "appointment_id = ? AND action = 'reschedule'", a.id)).toBe(1);
    // The old time is free for staff again.
    await hubIdle(d.id);
    const again = await authed(f.tokens.receptionist).post("/api/appointments", { doctorId: d.id, patientId: a.patientId, start: a.start, end: a.end });
    expect(again.status).toBe(201);
  });

  it("a time taken meanwhile is refused with a fresh list; a forged time outside the list moves nothing", async () => {
    const { f, d, a, token } = await setup();
    const day = weekdayAhead(1);
    const target = at(day, "15:00");
    expect(offered(await (await page(`${token}?choose=1`)).text())).toContain(target);
    // Someone at the desk books it before the patient taps.
    const taken = await authed(f.tokens.receptionist).post("/api/appointments", {
      doctorId: d.id,
      patientId: f.patients[0].id,
      start: new Date(target).toISOString(),
      end: new Date(target + 30 * 60_000).toISOString(),
    });
    expect(taken.status).toBe(201);
    const res = await post(token, `action=reschedule&start=${target}`);
    const html = await res.text();
    expect(html).toContain("no longer free");
    expect(offered(html)).not.toContain(target);
    expect(offered(html).length).toBeGreaterThan(0);
    // Forged: 03:00 at night, a Saturday, inside the cut-off, garbage.
    for (const bad of [at(day, "03:00"), Date.now() + 30 * 60_000, "abc", "", String(2 ** 60)]) await post(token, `action=reschedule&start=${bad}`);
    const row = await env.DB.prepare("SELECT start_ms, version FROM appointments WHERE id = ?").bind(a.id).first<any>();
    expect(row).toEqual({ start_ms: Date.parse(a.start), version: a.version });
  });

  it("stops at the clinic's limit of moves per appointment (default 2)", async () => {
    const { a, token } = await setup();
    for (const [i, time] of ["13:00", "14:00"].entries()) {
      const html = await (await post(token, `action=reschedule&start=${at(weekdayAhead(i + 1), time)}`)).text();
      expect(html).toContain("Your appointment is moved to");
    }
    const pageHtml = await (await page(token)).text();
    expect(pageHtml).not.toContain("Choose another time");
    const refused = await (await post(token, `action=reschedule&start=${at(weekdayAhead(3), "09:00")}`)).text();
    expect(refused).toContain("as often as the clinic allows");
    expect(refused).toContain("020 7946 0000");
    expect(await countRows("patient_reschedules", "appointment_id = ?", a.id)).toBe(2);
  });

  it("the limit holds under concurrency: of two moves that both passed the limit check, one moves and the other is refused with the limit", async () => {
    const { a } = await setup({ settings: { reschedule_limit: 1 } });
    const visit = { clinicId: a.clinicId, appointmentId: a.id, patientId: a.patientId };
    // The first move is held right after it counted the moves made so far (0 of 1); the second
    // runs to the end in that window. The first then reaches the calendar with what it read.
    let reached!: () => void;
    const atGate = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = false;
    const db = new Proxy(env.DB, {
      get(t, k) {
        if (k === "prepare")
          return (q: string) => {
            const st = t.prepare(q);
            if (!q.includes("FROM patient_reschedules")) return st;
            return {
              bind: (...args: unknown[]) => {
                const b = st.bind(...args);
                return {
                  first: async () => {
                    const r = await b.first();
                    if (!held) {
                      held = true;
                      reached();
                      await gate;
                    }
                    return r;
                  },
                };
              },
            };
          };
        const v = (t as any)[k];
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
    const gated = new Proxy(env, { get: (t, k) => (k === "DB" ? db : (t as any)[k]) });
    const first = patientReschedule(gated, visit, at(weekdayAhead(1), "13:00"));
    await atGate;
    const second = await patientReschedule(env, visit, at(weekdayAhead(2), "14:00"));
    release();
    expect(second.ok).toBe(true);
    expect(await first).toMatchObject({ ok: false, reason: "refused", message: expect.stringContaining("as often as the clinic allows") });
    expect(await countRows("patient_reschedules", "appointment_id = ?", a.id)).toBe(1);
    expect(await countRows("patient_responses", "appointment_id = ?", a.id)).toBe(1);
    const row = await env.DB.prepare("SELECT start_ms, version FROM appointments WHERE id = ?").bind(a.id).first<any>();
    expect(row).toEqual({ start_ms: at(weekdayAhead(2), "14:00"), version: a.version + 1 });
  });

  it("a move and its record are one batch: the limit's guard refuses a move past the limit and nothing is written", async () => {
    const { d, a } = await setup({ settings: { reschedule_limit: 1 } });
    // The limit was used up after the patient's page counted it (a move recorded meanwhile).
    await env.DB.prepare("INSERT INTO patient_reschedules (clinic_id, appointment_id, from_ms, to_ms, via, at) VALUES (?, ?, 0, 0, 'link', 0)").bind(a.clinicId, a.id).run();
    const audits = await countRows("audit_log", "entity_id = ?", a.id);
    const linkCaller = { actor: { userId: null, label: "patient via link" }, role: "system" as const, doctorId: null };
    const startMs = at(weekdayAhead(1), "13:00");
    const hub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(d.id));
    const r = await hub.updateAppointment(d.id, linkCaller, a.clinicId, a.id, { version: a.version, startMs, endMs: startMs + 30 * 60_000 }, a);
    expect(r.ok).toBe(false);
    expect(await env.DB.prepare("SELECT start_ms, version FROM appointments WHERE id = ?").bind(a.id).first<any>()).toEqual({ start_ms: Date.parse(a.start), version: a.version });
    expect(await countRows("patient_reschedules", "appointment_id = ?", a.id)).toBe(1);
    expect(await countRows("patient_responses", "appointment_id = ?", a.id)).toBe(0);
    expect(await countRows("audit_log", "entity_id = ?", a.id)).toBe(audits);
    // Staff moving it is not a patient's move: no limit, no record.
    const staff = await hub.updateAppointment(d.id, { actor: { userId: null, label: "front desk" }, role: "system", doctorId: null }, a.clinicId, a.id, { version: a.version, startMs, endMs: startMs + 30 * 60_000 }, a);
    expect(staff.ok).toBe(true);
    expect(await countRows("patient_reschedules", "appointment_id = ?", a.id)).toBe(1);
  });

  it("follows the clinic's switches: off, excluded types, a shorter window", async () => {
    const off = await setup({ settings: { self_reschedule: 0 } });
    expect(await (await page(off.token)).text()).not.toContain("Choose another time");
    expect(await (await page(`${off.token}?choose=1`)).text()).toContain("cannot be moved online");
    const excluded = await setup({ type: "procedure", settings: { no_reschedule_types: '["Procedure"]' } });
    expect(await (await page(excluded.token)).text()).not.toContain("Choose another time");
    const short = await setup({ settings: { reschedule_days: 3 } });
    const starts = offered(await (await page(`${short.token}?choose=1`)).text());
    for (const s of starts) expect(s).toBeLessThanOrEqual(Date.now() + 3 * 86_400_000);
  });

  it("inside the cut-off there is no choice; an expired link gets the plain 'not valid' page", async () => {
    const { a, token } = await setup();
    await env.DB.prepare("UPDATE clinics SET cancel_cutoff_min = ? WHERE id = ?").bind(14 * 1440, a.clinicId).run();
    expect(await (await page(`${token}?choose=1`)).text()).toContain("too late to move");
    await env.DB.prepare("UPDATE patient_links SET expires_at = ? WHERE appointment_id = ?").bind(Date.now() - 1000, a.id).run();
    for (const res of [await page(`${token}?choose=1`), await post(token, `action=reschedule&start=${at(weekdayAhead(2), "14:00")}`)]) {
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("This link is not valid");
    }
  });
});
