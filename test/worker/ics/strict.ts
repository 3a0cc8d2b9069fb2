// A strict RFC 5545 reader for the output tests: what an independent calendar
// client would need from our bytes, checked one rule at a time so a failure says
// which rule broke.
//   bytes:   CRLF after every line including the last (§3.1), no bare CR or LF,
//            no line over 75 octets, no fold that splits a UTF-8 sequence
//   syntax:  every unfolded line is name[;params]:value, BEGIN/END balanced,
//            VERSION:2.0 and PRODID, every VEVENT has UID, DTSTAMP (UTC), DTSTART, DTEND
//   parse:   ical.js parses the text
//   zones:   every TZID used has a VTIMEZONE in the file
//   times:   DTSTART/DTEND resolved through the file's own VTIMEZONE (ical.js
//            Timezone, nothing registered globally, no Intl) equal the expected UTC instants
import ICAL from "ical.js";

export interface Expected {
  startMs: number;
  endMs: number;
}

const enc = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function byteProblems(text: string): string[] {
  const out: string[] = [];
  if (!text.endsWith("END:VCALENDAR\r\n")) out.push(`does not end with "END:VCALENDAR" CRLF (ends with ${JSON.stringify(text.slice(-20))})`);
  if (/[\r\n]/.test(text.replace(/\r\n/g, ""))) out.push("has a bare CR or LF");
  const bytes = enc.encode(text);
  let start = 0;
  let lineNo = 0;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0x0d || bytes[i + 1] !== 0x0a) continue;
    lineNo++;
    const line = bytes.subarray(start, i);
    if (line.length > 75) out.push(`line ${lineNo} is ${line.length} octets (> 75)`);
    try {
      strictUtf8.decode(line);
    } catch {
      out.push(`line ${lineNo} is not valid UTF-8 on its own (a fold split a character)`);
    }
    start = i + 2;
    i++;
  }
  return out;
}

function syntaxProblems(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/\r\n[ \t]/g, "").split("\r\n").slice(0, -1);
  const stack: string[] = [];
  for (const [n, l] of lines.entries()) {
    if (!/^[A-Za-z0-9-]+(;[A-Za-z0-9-]+=("[^"]*"|[^";:,]*)(,("[^"]*"|[^";:,]*))*)*:/.test(l)) out.push(`content line ${n + 1} is not name[;params]:value: ${l.slice(0, 60)}`);
    if (l.startsWith("BEGIN:")) stack.push(l.slice(6));
    if (l.startsWith("END:") && stack.pop() !== l.slice(4)) out.push(`END:${l.slice(4)} does not close the open component`);
  }
  if (stack.length) out.push(`unclosed ${stack.join(", ")}`);
  return out;
}

/** Every problem of a generated calendar; `expected` maps UID → the appointment's UTC instants. */
export function strictProblems(text: string, expected?: Map<string, Expected>): string[] {
  const out = [...byteProblems(text), ...syntaxProblems(text)];
  let cal: ICAL.Component;
  try {
    cal = new ICAL.Component(ICAL.parse(text));
  } catch (err) {
    return [...out, `ical.js cannot parse it: ${(err as Error).message}`];
  }
  if (cal.name !== "vcalendar") out.push("top component is not VCALENDAR");
  if (cal.getFirstPropertyValue("version") !== "2.0") out.push("VERSION is not 2.0");
  if (!cal.getFirstPropertyValue("prodid")) out.push("no PRODID");
  const zones = new Map<string, ICAL.Timezone>();
  for (const vtz of cal.getAllSubcomponents("vtimezone")) zones.set(String(vtz.getFirstPropertyValue("tzid")), new ICAL.Timezone(vtz));
  const seen = new Set<string>();
  for (const ve of cal.getAllSubcomponents("vevent")) {
    const uid = String(ve.getFirstPropertyValue("uid") ?? "");
    if (!uid) out.push("a VEVENT has no UID");
    seen.add(uid);
    const stamp = ve.getFirstPropertyValue("dtstamp") as ICAL.Time | null;
    if (!stamp || stamp.zone?.tzid !== "UTC") out.push(`${uid}: DTSTAMP missing or not UTC`);
    const instant = (prop: "dtstart" | "dtend"): number | null => {
      const p = ve.getFirstProperty(prop);
      if (!p) {
        out.push(`${uid}: no ${prop.toUpperCase()}`);
        return null;
      }
      const t = p.getFirstValue() as ICAL.Time;
      const tzid = p.getParameter("tzid");
      if (typeof tzid === "string") {
        const zone = zones.get(tzid);
        if (!zone) {
          out.push(`${uid}: ${prop.toUpperCase()} uses TZID ${tzid} without a VTIMEZONE`);
          return null;
        }
        const c = t.clone();
        c.zone = zone;
        return c.toUnixTime() * 1000;
      }
      if (t.zone?.tzid !== "UTC") {
        out.push(`${uid}: ${prop.toUpperCase()} is a floating time`);
        return null;
      }
      return t.toUnixTime() * 1000;
    };
    const s = instant("dtstart");
    const e = instant("dtend");
    const want = expected?.get(uid);
    if (want && s !== null && s !== want.startMs) out.push(`${uid}: DTSTART reads ${iso(s)}, expected ${iso(want.startMs)} (${line(text, uid, "DTSTART")})`);
    if (want && e !== null && e !== want.endMs) out.push(`${uid}: DTEND reads ${iso(e)}, expected ${iso(want.endMs)} (${line(text, uid, "DTEND")})`);
  }
  if (expected) for (const uid of expected.keys()) if (!seen.has(uid)) out.push(`${uid}: missing`);
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The raw DTSTART/DTEND line of one event, for failure messages. */
function line(text: string, uid: string, prop: string): string {
  const unfolded = text.replace(/\r\n[ \t]/g, "");
  const ev = unfolded.split("BEGIN:VEVENT").find((e) => e.includes(`UID:${uid}`)) ?? "";
  return new RegExp(`^${prop}[;:].*$`, "m").exec(ev)?.[0]?.trim() ?? "?";
}

/**
 * The next two UTC-offset changes of `zone` after `fromMs` (the spring and the autumn
 * change, in whichever order they come), to the minute. Zones without DST give [].
 */
export function nextTransitions(zone: string, fromMs: number): number[] {
  const off = (ms: number) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
        .formatToParts(new Date(ms))
        .filter((x) => x.type !== "literal")
        .map((x) => [x.type, Number(x.value)]),
    );
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - ms;
  };
  const H = 3600_000;
  const out: number[] = [];
  let t = Math.floor(fromMs / H) * H;
  for (let i = 0; i < 24 * 400 && out.length < 2; i++, t += H) {
    if (off(t) === off(t + H)) continue;
    let lo = t;
    let hi = t + H;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (off(mid) === off(lo)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}
