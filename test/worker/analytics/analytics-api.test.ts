// The Analytics API against a hand-computed fixture in Europe/London: a week across the
// 2026-10-25 DST change, an appointment across midnight, a move between weeks, a cancel after
// a no-show, a patient's cancel by SMS — and the role rules of every section.
import { beforeAll, describe, expect, it } from "vitest";
import { createAppointment, updateAppointment, type Caller } from "../../../worker/appointments/write";
import { authed, env, json, makeClinic, type ClinicFixture } from "../../helpers";

let f: ClinicFixture;
const Q = "?from=2026-10&to=2026-11";

async function book(doctor: number, patient: number, start: string, minutes: number, type = "consultation") {
  const staff: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
  const startMs = Date.parse(start);
  const r = await createAppointment(
    env,
    staff,
    { clinicId: f.clinic.id, doctorId: f.doctors[doctor].doctor.id, patientId: f.patients[patient].id, startMs, endMs: startMs + minutes * 60_000, type, allowOutsideHours: true },
    { origin: "acms" },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.appointment;
}

async function update(id: string, patch: Record<string, unknown>, actor?: Caller["actor"]) {
  const cur = await env.DB.prepare("SELECT version FROM appointments WHERE id = ?").bind(id).first<{ version: number }>();
  const caller: Caller = actor ? { actor, role: "system", doctorId: null } : { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
  const r = await updateAppointment(env, caller, f.clinic.id, id, { version: cur!.version, allowOutsideHours: true, ...patch }, { origin: "acms" });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
}

beforeAll(async () => {
  f = await makeClinic({ timeZone: "Europe/London", doctors: 2, patients: 3 });
  // Friday 09:00 BST (08:00 UTC) and Monday 09:00 GMT (09:00 UTC): both 09:00 in the clinic.
  const a1 = await book(0, 0, "2026-10-23T08:00:00Z", 30);
  const a2 = await book(0, 0, "2026-10-26T09:00:00Z", 30);
  // Friday 23:30 → Saturday 00:30: counts on Friday, 23:00, October.
  const a3 = await book(1, 1, "2026-10-30T23:30:00Z", 60, "video");
  // Booked for Tuesday 3 Nov 10:00, moved a week on to Tuesday 10 Nov 14:00.
  const a4 = await book(1, 1, "2026-11-03T10:00:00Z", 30);
  await update(a4.id, { startMs: Date.parse("2026-11-10T14:00:00Z"), endMs: Date.parse("2026-11-10T14:30:00Z") });
  // Marked no-show, then cancelled by staff: a cancellation, not a no-show.
  const a5 = await book(0, 0, "2026-11-05T11:00:00Z", 30);
  const a6 = await book(0, 0, "2026-11-12T11:00:00Z", 30);
  // Cancelled by the patient by SMS.
  const a7 = await book(0, 2, "2026-11-16T09:00:00Z", 30);
  await update(a1.id, { status: "completed" });
  await update(a2.id, { status: "no_show" });
  await update(a3.id, { status: "completed" });
  await update(a4.id, { status: "no_show" });
  await update(a5.id, { status: "no_show" });
  await update(a5.id, { status: "cancelled" });
  await update(a6.id, { status: "no_show" });
  await update(a7.id, { status: "cancelled" }, { userId: null, label: "patient via SMS" });
});

const cell = (cells: any[], weekday: number, hour: number) => cells.find((c) => c.weekday === weekday && c.hour === hour);
const group = (groups: any[], label: string) => groups.find((g) => g.label === label);

describe("analytics numbers", () => {
  it("busiest times: clinic-zone weekday and hour, DST, midnight and a move", async () => {
    const b = await json<any>(await authed(f.tokens.admin).get(`/api/analytics/busiest${Q}`));
    expect(cell(b.cells, 5, 9).booked).toBe(1); // Friday 09:00 BST
    expect(cell(b.cells, 1, 9).booked).toBe(1); // Monday 09:00 GMT
    expect(cell(b.cells, 5, 23).booked).toBe(1); // across midnight: Friday 23:00
    expect(cell(b.cells, 6, 0)?.booked ?? 0).toBe(0);
    expect(cell(b.cells, 2, 14).booked).toBe(1); // moved here
    expect(cell(b.cells, 2, 10).booked).toBe(0); // moved away
    expect(cell(b.cells, 4, 11).booked).toBe(1); // a6; a5 cancelled
    expect(b.totals.booked).toBe(5);
    // Slots: 2 doctors × Mon–Fri 09–12, 13–17 in 30-min slots; Mondays in Oct+Nov 2026: 4 + 5 = 9.
    expect(cell(b.cells, 1, 9).slots).toBe(2 * 2 * 9);
    expect(cell(b.cells, 1, 12)?.slots ?? 0).toBe(0); // lunch
    expect(b.busiest.map((c: any) => c.name)).toEqual(["Monday 09:00–10:00", "Tuesday 14:00–15:00", "Thursday 11:00–12:00"]);
    expect(b.emptiest).toHaveLength(3);
    expect(b.emptiest.every((c: any) => c.booked === 0)).toBe(true);
  });

  it("no-show patterns with n and Wilson intervals", async () => {
    const n = await json<any>(await authed(f.tokens.admin).get(`/api/analytics/no-shows${Q}`));
    expect(n.overall).toMatchObject({ n: 5, k: 3, rate: 0.6, few: true });
    // Wilson 95% for 3/5: 0.2307 .. 0.8824
    expect(n.overall.low).toBeCloseTo(0.2307, 3);
    expect(n.overall.high).toBeCloseTo(0.8824, 3);
    expect(n.previous).toMatchObject({ n: 0, k: 0, rate: null });
    expect(group(n.weekday, "Friday")).toMatchObject({ n: 2, k: 0 });
    expect(group(n.weekday, "Monday")).toMatchObject({ n: 1, k: 1 });
    expect(group(n.weekday, "Tuesday")).toMatchObject({ n: 1, k: 1 });
    expect(group(n.hour, "23:00")).toMatchObject({ n: 1, k: 0 });
    expect(group(n.visit, "First visit")).toMatchObject({ n: 2, k: 0 });
    expect(group(n.visit, "Returning")).toMatchObject({ n: 3, k: 3 });
    // a6 follows a2's no-show (a5's no-show was turned into a cancel).
    expect(n.history.map((g: any) => [g.n, g.k])).toEqual([[4, 2], [1, 1], [0, 0]]);
    expect(group(n.type, "consultation")).toMatchObject({ n: 4, k: 3 });
    expect(group(n.type, "video")).toMatchObject({ n: 1, k: 0 });
    expect(group(n.doctor, f.doctors[0].doctor.name)).toMatchObject({ n: 3, k: 2 });
    expect(group(n.doctor, f.doctors[1].doctor.name)).toMatchObject({ n: 2, k: 1 });
    expect(group(n.reminder, "No reminder")).toMatchObject({ n: 5, k: 3 });
  });

  it("filters: video only, one type, one doctor", async () => {
    const api = authed(f.tokens.admin);
    const video = await api.get(`/api/analytics/no-shows${Q}&video=1`);
    // Its cost in D1 rows: a few rows per month and group, whatever the number of appointments.
    expect(Number(video.headers.get("x-d1-rows-read"))).toBeGreaterThan(0);
    expect(Number(video.headers.get("x-d1-rows-read"))).toBeLessThan(100);
    expect((await json<any>(video)).overall).toMatchObject({ n: 1, k: 0 });
    expect((await json<any>(await api.get(`/api/analytics/no-shows${Q}&video=0`))).overall).toMatchObject({ n: 4, k: 3 });
    expect((await json<any>(await api.get(`/api/analytics/no-shows${Q}&type=consultation`))).overall).toMatchObject({ n: 4, k: 3 });
    expect((await json<any>(await api.get(`/api/analytics/no-shows${Q}&doctor=${f.doctors[1].doctor.id}`))).overall).toMatchObject({ n: 2, k: 1 });
    // October alone, and November compared with it.
    expect((await json<any>(await api.get(`/api/analytics/no-shows?from=2026-10&to=2026-10`))).overall).toMatchObject({ n: 3, k: 1 });
    const nov = await json<any>(await api.get(`/api/analytics/no-shows?from=2026-11&to=2026-11`));
    expect([nov.overall.n, nov.overall.k, nov.previous.n, nov.previous.k]).toEqual([2, 2, 3, 1]);
  });

  it("monthly no-show line and cancellations by whom", async () => {
    const r = await json<any>(await authed(f.tokens.admin).get(`/api/analytics/reduction${Q}`));
    const months = Object.fromEntries(r.months.map((m: any) => [m.month, [m.n, m.k]]));
    expect(months["2026-10"]).toEqual([3, 1]);
    expect(months["2026-11"]).toEqual([2, 2]);
    expect(r.remindersFrom).toBeNull(); // no reminder was ever sent here
    const u = await json<any>(await authed(f.tokens.admin).get(`/api/analytics/utilization${Q}`));
    expect(u.cancellations).toMatchObject({ cancelled: 2, late: 2, byStaff: 1, byPatientSms: 1, byPatientLink: 0, byProvider: 0 });
    const drA = u.doctors.find((d: any) => d.doctorId === f.doctors[0].doctor.id);
    expect(drA.bookedMinutes).toBe(90);
    expect(drA.workingMinutes).toBe(7 * 60 * 43); // 43 weekdays in Oct+Nov 2026, 7 h a day
  });

  it("the staff list of patients with 2+ no-shows", async () => {
    const r = await json<any>(await authed(f.tokens.admin).get(`/api/analytics/repeat-no-shows${Q}`));
    expect(r.patients.map((p: any) => [p.patientId, p.noShows])).toEqual([[f.patients[0].id, 2]]);
    const own = await json<any>(await authed(f.doctors[1].token).get(`/api/analytics/repeat-no-shows${Q}`));
    expect(own.patients).toEqual([]);
  });
});

describe("waitlist refill figures", () => {
  it("slots freed / offered / refilled per clinic-zone month and the previous period; a doctor sees their own; CSV audited", async () => {
    const slot = (doctor: number, freed: string, offeredMin: number | null, filledMin: number | null) => {
      const at = Date.parse(freed);
      return env.DB.prepare(
        "INSERT INTO waitlist_slots (id, clinic_id, doctor_id, start_ms, end_ms, cause, state, next_at, freed_at, offered_at, filled_at) VALUES (lower(hex(randomblob(16))), ?, ?, ?, ?, 'cancel', 'new', ?, ?, ?, ?)",
      )
        .bind(f.clinic.id, f.doctors[doctor].doctor.id, at + 86_400_000, at + 86_400_000 + 1_800_000, at, at, offeredMin === null ? null : at + offeredMin * 60_000, filledMin === null ? null : at + filledMin * 60_000)
        .run();
    };
    // 31 Oct 23:30 GMT is October in London; 31 Oct 2026 is after the change, so 1 Nov 00:10 GMT is November.
    await slot(0, "2026-10-31T23:30:00Z", 1, 20); // October, refilled after 20 min
    await slot(0, "2026-11-01T00:10:00Z", 2, null); // November, offered, not refilled
    await slot(1, "2026-11-10T10:00:00Z", 1, 40); // November, doctor 1, refilled after 40 min
    await slot(1, "2026-11-12T10:00:00Z", null, null); // November, never offered
    await slot(0, "2026-09-15T10:00:00Z", 1, 10); // previous period (Aug–Sep)
    await slot(0, "2026-12-01T10:00:00Z", 1, 10); // after the period
    const w = await json<any>(await authed(f.tokens.admin).get(`/api/analytics/waitlist${Q}`));
    expect(w.months).toEqual([
      { month: "2026-10", freed: 1, offered: 1, refilled: 1, avgMinutesToRefill: 20 },
      { month: "2026-11", freed: 3, offered: 2, refilled: 1, avgMinutesToRefill: 40 },
    ]);
    expect(w.totals).toEqual({ freed: 4, offered: 3, refilled: 2, avgMinutesToRefill: 30 });
    expect(w.previous).toEqual({ freed: 1, offered: 1, refilled: 1, avgMinutesToRefill: 10 });
    expect(w.tables[0].rows[0]).toEqual(["This period", 4, 3, 2, 50, 30]);
    const own = await json<any>(await authed(f.tokens.doctor).get(`/api/analytics/waitlist${Q}`));
    expect(own.totals).toEqual({ freed: 2, offered: 2, refilled: 1, avgMinutesToRefill: 20 });
    const csv = await authed(f.tokens.receptionist).get(`/api/analytics/waitlist/csv${Q}`);
    expect(await csv.text()).toContain("This period,4,3,2,50,30");
    const audit = await env.DB.prepare("SELECT entity_id FROM audit_log WHERE clinic_id = ? AND action = 'analytics.csv' AND actor_user_id = ?").bind(f.clinic.id, f.receptionist.user.id).all<any>();
    expect(audit.results.map((r) => r.entity_id)).toEqual(["waitlist"]);
    await env.DB.prepare("DELETE FROM waitlist_slots WHERE clinic_id = ?").bind(f.clinic.id).run();
  });
});

describe("analytics roles", () => {
  const sections = ["busiest", "utilization", "no-shows", "repeat-no-shows", "reduction", "kpis", "nps", "waitlist"];
  const allowed: Record<string, string[]> = {
    admin: sections,
    doctor: ["busiest", "utilization", "no-shows", "repeat-no-shows", "reduction", "waitlist"],
    receptionist: ["busiest", "utilization", "waitlist"],
  };
  it.each(["admin", "doctor", "receptionist"])("%s gets exactly the sections of their role", async (role) => {
    const token = role === "admin" ? f.tokens.admin : role === "doctor" ? f.tokens.doctor : f.tokens.receptionist;
    for (const s of sections) {
      const res = await authed(token).get(`/api/analytics/${s}${Q}`);
      expect([s, res.status]).toEqual([s, allowed[role].includes(s) ? 200 : 403]);
    }
    const opts = await json<any>(await authed(token).get("/api/analytics/options"));
    expect(opts.sections).toEqual(sections.filter((s) => allowed[role].includes(s)).sort((a, b) => sections.indexOf(a) - sections.indexOf(b)));
  });

  it("only admins may rebuild", async () => {
    expect((await authed(f.tokens.receptionist).post("/api/analytics/rebuild")).status).toBe(403);
    expect((await authed(f.tokens.doctor).post("/api/analytics/rebuild")).status).toBe(403);
    expect((await authed(f.tokens.admin).post("/api/analytics/rebuild?after=nope")).status).toBe(422);
    const r = await authed(f.tokens.admin).post("/api/analytics/rebuild");
    expect(await json<any>(r)).toEqual({ appointments: 7, next: null });
    // The numbers are unchanged by a rebuild.
    expect((await json<any>(await authed(f.tokens.admin).get(`/api/analytics/no-shows${Q}`))).overall).toMatchObject({ n: 5, k: 3 });
  });

  it("a doctor sees only themself, even when asking for the clinic", async () => {
    const api = authed(f.tokens.doctor);
    const mine = await json<any>(await api.get(`/api/analytics/no-shows${Q}`));
    expect(mine.filter.doctor).toBe(f.doctors[0].doctor.id);
    expect(mine.overall).toMatchObject({ n: 3, k: 2 });
    expect(mine.doctor.map((g: any) => g.label)).toEqual([f.doctors[0].doctor.name]);
    expect((await api.get(`/api/analytics/no-shows${Q}&doctor=${f.doctors[1].doctor.id}`)).status).toBe(403);
    const opts = await json<any>(await api.get("/api/analytics/options"));
    expect(opts.doctors.map((d: any) => d.id)).toEqual([f.doctors[0].doctor.id]);
  });

  it("another clinic sees nothing of this one", async () => {
    const other = await makeClinic();
    const r = await json<any>(await authed(other.tokens.admin).get(`/api/analytics/no-shows${Q}&doctor=${f.doctors[0].doctor.id}`));
    expect(r.overall.n).toBe(0);
    expect((await json<any>(await authed(other.tokens.admin).get(`/api/analytics/repeat-no-shows${Q}`))).patients).toEqual([]);
  });

  it("bad periods and filters are 4xx with nothing read", async () => {
    const api = authed(f.tokens.admin);
    for (const q of ["?from=2026-13", "?from=2026-11&to=2026-10", "?from=2020-01&to=2026-01", "?video=2", "?doctor=a%20b", "?bogus=1"]) {
      const res = await api.get(`/api/analytics/busiest${q}`);
      expect([q, res.status]).toEqual([q, res.status >= 400 && res.status < 500 ? res.status : "not 4xx"]);
      expect((await json<any>(res)).error.code).toBeTruthy();
    }
    expect((await api.get("/api/analytics/nothing")).status).toBe(404);
    expect((await authed(null).get("/api/analytics/busiest")).status).toBe(401);
  });

  it("a CSV download is in the audit log and holds the table", async () => {
    const res = await authed(f.tokens.admin).get(`/api/analytics/no-shows/csv${Q}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const text = await res.text();
    expect(text).toContain("No-show rate by weekday");
    expect(text).toContain("Monday,1,1,100,");
    const audit = await env.DB.prepare("SELECT actor_user_id, summary FROM audit_log WHERE clinic_id = ? AND action = 'analytics.csv' AND entity_id = 'no-shows'").bind(f.clinic.id).all<any>();
    expect(audit.results).toHaveLength(1);
    expect(audit.results[0].actor_user_id).toBe(f.admin.user.id);
    expect(JSON.parse(audit.results[0].summary).period).toEqual({ from: "2026-10", to: "2026-11" });
    // Not allowed → no CSV, no audit.
    expect((await authed(f.tokens.receptionist).get(`/api/analytics/no-shows/csv${Q}`)).status).toBe(403);
  });
});
