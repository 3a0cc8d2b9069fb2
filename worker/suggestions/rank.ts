// Ranked free slots for one patient, type and doctor (or any doctor) over a horizon: free
// time from the same pieces as GET /api/availability (working hours → freeSlots minus
// appointments and blocked time, then fittingStarts for the visit's length, so every start is
// one the booking dialog offers), each start described (./score.ts SlotFacts) and scored, the
// best few returned with their reasons. Reads: one D1 batch for the clinic's doctors, busy
// time, the patient's earlier visits and settings, then one for the risk context.
import { appointmentRangeStatement, blockedRangeStatement } from "../appointments/queries";
import { DEFAULT_APPOINTMENT_TYPES, parseAppointmentTypes } from "../doctors/fields";
import { type Interval, merge } from "../scheduling/intervals";
import { fittingStarts, freeSlots } from "../scheduling/slots";
import { parseWorkingHours, workingIntervals } from "../scheduling/working-hours";
import { addDays, utcToLocal } from "../scheduling/zone";
import { BASE_FEATURES, EMPTY_HISTORY, featuresOf } from "./features";
import { predict } from "./logistic";
import { riskLevel, spaceOf } from "./model";
import { loadRiskContext } from "./risk";
import { type Habit, type SlotFacts, compactness, slotReasons, slotScore } from "./score";
import { loadSettings, type SuggestionSettings } from "./settings";

const DAY = 86_400_000;
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** What to look for: the booking dialog's choices, narrowed by a free-text request (./parse-request.ts). */
export interface SlotQuery {
  patientId?: string;
  type: string;
  /** Visit length; default: the type's length for the doctor. */
  minutes?: number;
  /** Empty: any doctor the caller may book for (`doctorIds`). */
  doctorId?: string;
  /** Clinic dates, both included; default today … today + horizon − 1. */
  fromDate?: string;
  toDate?: string;
  /** Minutes after local midnight: only starts at or after / ends at or before. */
  fromMinute?: number;
  toMinute?: number;
  weekdays?: number[];
  /** Order by time only ("earliest …"). */
  earliest?: boolean;
  limit?: number;
}

export interface DoctorInfo {
  id: string;
  name: string;
  slot_minutes: number;
  working_hours: string;
  appointment_types: string;
}

export interface Suggestion {
  doctorId: string;
  doctorName: string;
  start: string;
  end: string;
  score: number;
  risk: number;
  riskLevel: "low" | "medium" | "high";
  reasons: string[];
}

export interface RankInput {
  now: number;
  zone: string;
  query: SlotQuery;
  doctors: DoctorInfo[];
  busy: Map<string, Interval[]>;
  habits: Habit[];
  settings: SuggestionSettings;
  riskAt: (startMs: number) => number;
  baseRate: number;
}

const dayPart = (weekday: number, hour: number) => `${WEEKDAYS[weekday - 1]} ${hour < 12 ? "morning" : hour < 17 ? "afternoon" : "evening"}`;

/** The ranking itself, pure: the best `limit` starts, at most two per doctor and day so the choices differ. */
export function rankSlots(r: RankInput): Suggestion[] {
  const q = r.query;
  const today = utcToLocal(r.zone, r.now).date;
  const fromDate = q.fromDate && q.fromDate > today ? q.fromDate : today;
  // At most 62 days ahead: the busy time read covers that much (suggestSlots).
  const lastDate = addDays(today, 62);
  const toDate = [q.toDate ?? addDays(fromDate, r.settings.horizonDays - 1), lastDate].sort()[0];
  const horizonDays = Math.max(1, (Date.parse(toDate) - Date.parse(today)) / DAY + 1);
  const urgent = r.settings.urgentTypes.includes(q.type);
  const anyDoctor = !q.doctorId;
  type Candidate = { key: string; doctorId: string; doctorName: string; start: number; end: number; score: number; facts: SlotFacts };
  const scored: Candidate[] = [];
  // Local parts of an instant, once per instant: the doctors share the same grid times.
  const locals = new Map<number, { date: string; weekday: number; minute: number }>();
  const localOf = (ms: number) => {
    let l = locals.get(ms);
    if (!l) {
      const p = utcToLocal(r.zone, ms);
      locals.set(ms, (l = { date: p.date, weekday: p.weekday, minute: Number(p.time.slice(0, 2)) * 60 + Number(p.time.slice(3)) }));
    }
    return l;
  };
  for (const d of r.doctors) {
    if (q.doctorId && d.id !== q.doctorId) continue;
    const types = parseAppointmentTypes(d.appointment_types);
    const list = types.length ? types : DEFAULT_APPOINTMENT_TYPES;
    const minutes = q.minutes ?? list.find((t) => t.name === q.type)?.minutes ?? d.slot_minutes;
    const shortest = Math.min(...list.map((t) => t.minutes), d.slot_minutes) * 60_000;
    const working = workingIntervals(r.zone, parseWorkingHours(d.working_hours), fromDate, toDate);
    const busy = merge(r.busy.get(d.id) ?? []);
    const starts = fittingStarts(freeSlots(working, busy, d.slot_minutes, r.now), minutes * 60_000);
    // Booked share per local date, for spreading load across doctors.
    const load = new Map<string, number>();
    if (anyDoctor) {
      const workMs = new Map<string, number>();
      const bookedMs = new Map<string, number>();
      for (const w of working) {
        const date = localOf(w.start).date;
        workMs.set(date, (workMs.get(date) ?? 0) + w.end - w.start);
        for (const b of busy) {
          const o = Math.min(w.end, b.end) - Math.max(w.start, b.start);
          if (o > 0) bookedMs.set(date, (bookedMs.get(date) ?? 0) + o);
        }
      }
      for (const [date, ms] of workMs) load.set(date, Math.min(1, (bookedMs.get(date) ?? 0) / ms));
    }
    for (const s of starts) {
      const local = localOf(s.start);
      const endLocal = localOf(s.end);
      const startMin = local.minute;
      const endMin = endLocal.date > local.date ? 1440 : endLocal.minute;
      if (q.fromMinute != null && startMin < q.fromMinute) continue;
      if (q.toMinute != null && endMin > q.toMinute) continue;
      if (q.weekdays?.length && !q.weekdays.includes(local.weekday)) continue;
      const hour = Math.floor(startMin / 60);
      const facts: SlotFacts = {
        weekday: local.weekday,
        hour,
        dayPart: dayPart(local.weekday, hour),
        habits: r.habits,
        ...compactness(s, working, busy, shortest),
        doctorLoad: anyDoctor ? (load.get(local.date) ?? 0) : null,
        doctorName: d.name,
        risk: r.riskAt(s.start),
        baseRate: r.baseRate,
        daysAhead: (s.start - r.now) / DAY,
        horizonDays,
        urgent,
      };
      const score = q.earliest ? -s.start : slotScore(facts, r.settings.weights).score;
      scored.push({ key: `${d.id}|${local.date}`, doctorId: d.id, doctorName: d.name, start: s.start, end: s.end, score, facts });
    }
  }
  scored.sort((a, b) => b.score - a.score || a.start - b.start);
  // Choices that differ: at most two per doctor and day, unless the request leaves no other day.
  const limit = q.limit ?? 5;
  const perDay = new Map<string, number>();
  const picked = new Set<Candidate>();
  for (const s of scored) {
    if (picked.size >= limit) break;
    const n = perDay.get(s.key) ?? 0;
    if (n >= 2) continue;
    perDay.set(s.key, n + 1);
    picked.add(s);
  }
  for (const s of scored) if (picked.size < limit) picked.add(s);
  return scored
    .filter((s) => picked.has(s))
    .map((s) => {
      const reasons = slotReasons(s.facts, r.settings.weights);
      return {
        doctorId: s.doctorId,
        doctorName: s.doctorName,
        start: new Date(s.start).toISOString(),
        end: new Date(s.end).toISOString(),
        score: Math.round(s.score * 1000) / 1000,
        risk: Math.round(s.facts.risk * 1000) / 1000,
        riskLevel: riskLevel(s.facts.risk, r.baseRate),
        reasons: q.earliest ? ["earliest free time that matches", ...reasons].slice(0, 3) : reasons,
      };
    });
}

/** Reads what rankSlots needs for the clinic and ranks. `doctorIds`: the doctors the caller may book for. */
export async function suggestSlots(d1: D1Database, clinicId: string, doctorIds: string[] | null, q: SlotQuery, now: number) {
  // Busy time only over the horizon (the settings say how far) and only of the doctor asked for:
  // a clinic's whole two months would be tens of thousands of rows for one booking.
  const settings = await loadSettings(d1, clinicId);
  const fromMs = now - DAY;
  // Padded by a day each side: no zone is more than 14 h from UTC.
  const horizonFrom = q.fromDate ? Math.max(now, Date.parse(q.fromDate)) : now;
  const toMs = Math.min(now + 64 * DAY, q.toDate ? Date.parse(q.toDate) + 2 * DAY : horizonFrom + (settings.horizonDays + 1) * DAY);
  const doctorId = q.doctorId;
  const [docs, appts, blocked, visits, patient] = await d1.batch([
    d1.prepare("SELECT id, name, slot_minutes, working_hours, appointment_types FROM doctors WHERE clinic_id = ? AND active = 1 ORDER BY name").bind(clinicId),
    appointmentRangeStatement(d1, { clinicId, doctorId, fromMs, toMs, statuses: ["scheduled", "confirmed", "completed", "no_show"] }),
    blockedRangeStatement(d1, { clinicId, doctorId, fromMs, toMs }),
    d1
      .prepare("SELECT start_ms FROM appointments INDEXED BY appointments_patient_idx WHERE patient_id = ? AND clinic_id = ? AND status = 'completed' ORDER BY start_ms DESC LIMIT 50")
      .bind(q.patientId ?? "", clinicId),
    d1.prepare("SELECT email, phone_digits, sms_consent FROM patients WHERE id = ? AND clinic_id = ?").bind(q.patientId ?? "", clinicId),
  ]);
  const ctx = await loadRiskContext(d1, clinicId, [], now, q.patientId ? [q.patientId] : []);
  const busy = new Map<string, Interval[]>();
  for (const r of [...(appts.results as { doctor_id: string; start_ms: number; end_ms: number }[]), ...(blocked.results as { doctor_id: string; start_ms: number; end_ms: number }[])]) {
    const list = busy.get(r.doctor_id) ?? [];
    list.push({ start: r.start_ms, end: r.end_ms });
    busy.set(r.doctor_id, list);
  }
  const habits = (visits.results as { start_ms: number }[]).map((v) => {
    const l = utcToLocal(ctx.zone, v.start_ms);
    return { weekday: l.weekday, hour: Number(l.time.slice(0, 2)) };
  });
  const p = patient.results[0] as { email: string; phone_digits: string; sms_consent: number } | undefined;
  const history = (q.patientId && ctx.histories.get(q.patientId)) || EMPTY_HISTORY;
  const space = spaceOf(ctx.model, ctx.zone);
  const x = new Float64Array(BASE_FEATURES.length + space.types.length);
  const video = ctx.videoTypes.has(q.type);
  // A new booking: not confirmed yet; reminded if the patient can receive a reminder at all.
  const reminded = !!p && (p.email !== "" || (p.phone_digits !== "" && p.sms_consent === 1));
  const riskAt = (startMs: number) =>
    predict(ctx.model.logistic, featuresOf({ startMs, bookedMs: now, type: q.type, video, reminded, confirmed: false }, history, space, x));
  const allowed = (docs.results as unknown as DoctorInfo[]).filter((d) => !doctorIds || doctorIds.includes(d.id));
  return {
    timeZone: ctx.zone,
    model: { kind: ctx.model.kind, baseRate: ctx.model.baseRate },
    suggestions: rankSlots({ now, zone: ctx.zone, query: q, doctors: allowed, busy, habits, settings, riskAt, baseRate: ctx.model.baseRate }),
  };
}
