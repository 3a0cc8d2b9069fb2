// A receptionist's free-text request ("next Tuesday afternoon with Dr Patel, 30 min", "earliest
// after 5pm this week") → constraints for the slot ranking (./rank.ts SlotQuery), in the clinic's
// zone, plus the words shown back ("Tue 8 Dec, 12:00–17:00, Dr Patel, 30 min") so staff can
// check and correct what was understood.
//
// Dates are chrono-node's job (a well-kept natural-language date parser: weekdays, "tomorrow",
// "next Tuesday", "14 Dec", "in 2 weeks" …). It is given the clinic's wall clock as a UTC
// reference (timezone 0), so its answers are wall-clock dates in the clinic's zone whatever the
// Worker's zone. The clinic-specific words chrono cannot know are matched here first and cut
// out: doctors' names, appointment types, durations ("30 min" would read as "in 30 minutes"),
// "earliest", parts of the day, after / before / between times, this / next week.
import * as chrono from "chrono-node";
import { addDays, isoWeekday, utcToLocal, wallMsAt } from "../scheduling/zone";
import type { SlotQuery } from "./rank";

export interface ParseContext {
  now: number;
  zone: string;
  doctors: { id: string; name: string }[];
  types: string[];
}

export interface Understood extends Omit<SlotQuery, "patientId" | "limit" | "type"> {
  type?: string;
  doctorName?: string;
}

const PARTS: Record<string, [number, number]> = { morning: [8 * 60, 12 * 60], afternoon: [12 * 60, 17 * 60], evening: [17 * 60, 21 * 60], lunchtime: [12 * 60, 14 * 60] };
const TIME = String.raw`(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?`;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** "5", "5pm", "17:30", "9.15am" → minutes after midnight; a bare 1–7 means the afternoon (clinic hours). */
function minuteOf(h: string, m: string | undefined, ap: string | undefined): number | null {
  let hour = Number(h);
  const minute = m ? Number(m) : 0;
  if (hour > 23 || minute > 59) return null;
  const p = ap?.[0];
  if (p === "p" && hour < 12) hour += 12;
  else if (p === "a" && hour === 12) hour = 0;
  else if (!p && hour >= 1 && hour <= 7) hour += 12;
  return hour * 60 + minute;
}

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;
const dayWords = (date: string) => `${DAYS[isoWeekday(date) - 1]} ${Number(date.slice(8))} ${MONTHS[Number(date.slice(5, 7)) - 1]}`;

export function parseRequest(input: string, ctx: ParseContext): { understood: Understood; summary: string } {
  let text = ` ${input.slice(0, 300).toLowerCase().replace(/\s+/g, " ")} `;
  const u: Understood = {};
  const cut = (re: RegExp) => {
    const m = text.match(re);
    if (m) text = text.replace(m[0], " ");
    return m;
  };
  // Durations first: chrono would read "30 min" as a time 30 minutes from now.
  let m = cut(/\b(\d{1,3})\s*(?:min|mins|minutes|minute|m)\b/);
  if (m) u.minutes = Number(m[1]);
  else if ((m = cut(/\b(\d(?:\.\d)?)\s*(?:h|hr|hrs|hour|hours)\b/))) u.minutes = Math.round(Number(m[1]) * 60);
  else if (cut(/\bhalf an hour\b/)) u.minutes = 30;
  else if (cut(/\ban hour\b/)) u.minutes = 60;
  if (u.minutes != null && (u.minutes < 5 || u.minutes > 720)) delete u.minutes;
  // Doctors by full name or surname, with or without "Dr".
  for (const d of ctx.doctors) {
    const words = d.name.toLowerCase().replace(/^dr\.?\s+/, "").split(/\s+/).filter(Boolean);
    const names = [words.join(" "), words[words.length - 1]].filter(Boolean).map(escape);
    for (const n of names) {
      if (cut(new RegExp(String.raw`\b(?:with\s+)?(?:dr\.?\s+|doctor\s+)?${n}\b`))) {
        u.doctorId = d.id;
        u.doctorName = d.name;
        break;
      }
    }
    if (u.doctorId) break;
  }
  for (const t of [...ctx.types].sort((a, b) => b.length - a.length))
    if (cut(new RegExp(String.raw`\b${escape(t.toLowerCase())}\b`))) {
      u.type = t;
      break;
    }
  if (cut(/\b(?:earliest|asap|as soon as possible|soonest|first (?:available|free)|next (?:available|free))\b/)) u.earliest = true;
  // Time of day.
  if ((m = cut(new RegExp(String.raw`\bbetween\s+${TIME}\s*(?:and|-|–|to)\s*${TIME}`)))) {
    const to = minuteOf(m[4], m[5], m[6]);
    // "between 2 and 4pm": the first time takes the second's am/pm.
    const from = minuteOf(m[1], m[2], m[3] ?? m[6]);
    if (from != null && to != null && from < to) [u.fromMinute, u.toMinute] = [from, to];
  }
  if ((m = cut(new RegExp(String.raw`\b(?:after|from|later than)\s+${TIME}`)))) u.fromMinute = minuteOf(m[1], m[2], m[3]) ?? undefined;
  if ((m = cut(new RegExp(String.raw`\b(?:before|by|earlier than|until)\s+${TIME}`)))) u.toMinute = minuteOf(m[1], m[2], m[3]) ?? undefined;
  for (const [word, [from, to]] of Object.entries(PARTS))
    if (cut(new RegExp(String.raw`\b${word}s?\b`))) {
      u.fromMinute ??= from;
      u.toMinute ??= to;
    }
  // Weeks, then whatever dates chrono finds in the rest.
  const today = utcToLocal(ctx.zone, ctx.now).date;
  const monday = addDays(today, 1 - isoWeekday(today));
  if (cut(/\bnext week\b/)) [u.fromDate, u.toDate] = [addDays(monday, 7), addDays(monday, 13)];
  else if (cut(/\b(?:this|the) week\b/)) [u.fromDate, u.toDate] = [today, addDays(monday, 6)];
  else if (cut(/\b(?:this|the|next) weekend\b/)) [u.fromDate, u.toDate] = [addDays(monday, 5), addDays(monday, 6)];
  const ref = new Date(wallMsAt(ctx.zone, ctx.now));
  const found = chrono.en.GB.parse(text, { instant: ref, timezone: 0 }, { forwardDate: true });
  const dates: string[] = [];
  for (const r of found) {
    const c = r.start;
    if (!c.isCertain("day") && !c.isCertain("weekday")) continue;
    dates.push(`${c.get("year")}-${String(c.get("month")).padStart(2, "0")}-${String(c.get("day")).padStart(2, "0")}`);
    // "Friday 2pm": from that time to an hour later.
    if (c.isCertain("hour") && u.fromMinute == null) {
      u.fromMinute = (c.get("hour") ?? 0) * 60 + (c.get("minute") ?? 0);
      u.toMinute ??= Math.min(1440, u.fromMinute + 60 + (u.minutes ?? 30));
    }
  }
  if (dates.length) {
    dates.sort();
    u.fromDate = dates[0] < today ? today : dates[0];
    u.toDate = dates[dates.length - 1];
    if (dates.length > 1) u.weekdays = [...new Set(dates.map(isoWeekday))];
  }
  return { understood: u, summary: summarize(u) };
}

/** What was understood, in the words shown back under the box. */
export function summarize(u: Understood): string {
  const parts: string[] = [];
  if (u.earliest) parts.push("earliest");
  if (u.fromDate) parts.push(u.toDate && u.toDate !== u.fromDate ? `${dayWords(u.fromDate)} – ${dayWords(u.toDate)}` : dayWords(u.fromDate));
  if (u.weekdays?.length && u.weekdays.length < 7) parts.push(`${u.weekdays.map((d) => DAYS[d - 1]).join("/")} only`);
  if (u.fromMinute != null && u.toMinute != null) parts.push(`${hhmm(u.fromMinute)}–${hhmm(u.toMinute)}`);
  else if (u.fromMinute != null) parts.push(`after ${hhmm(u.fromMinute)}`);
  else if (u.toMinute != null) parts.push(`before ${hhmm(u.toMinute)}`);
  if (u.doctorName) parts.push(u.doctorName);
  if (u.type) parts.push(u.type);
  if (u.minutes) parts.push(`${u.minutes} min`);
  return parts.join(", ") || "nothing specific: the best times over the next days";
}
