// Feed rendering with a per-isolate memo of each event's finished VEVENT text.
//
// Why: a feed is re-rendered whenever anything in the doctor's calendar changes,
// but usually one appointment changed and 4,999 did not. ical-generator still
// does all serialization, escaping and folding (foldLines is per line, so folding
// one VEVENT at a time gives the same bytes as folding the whole calendar); we
// only remember each event's result and assemble header + events + footer.
// A fresh isolate pays the full render once; a warm one re-renders only what
// changed. The output is byte-identical to renderCalendar (tested).
import { foldLines, ICalCalendar, ICalEvent } from "ical-generator";
import { eventData, eventZone, renderCalendar, type IcsAppointment, type RenderOptions } from "./render";

/** ~450 bytes of text each: 20,000 entries is about 10 MB of an isolate's 128 MB. */
const MEMO_MAX = 20_000;
const memo = new Map<string, string>();

function configKey(o: RenderOptions): string {
  const c = o.clinic;
  return [o.privacy, o.compact ? 1 : 0, o.method ?? "", o.stampMs ?? "", c.timeZone, c.address, c.domain, c.name, c.reminderMinutes.join(","), o.appUrl, o.organizer?.email ?? ""].join("\u0001");
}

function eventKey(a: IcsAppointment): string {
  // Everything the event text depends on; names come from other tables, so they are in the key.
  return [a.id, a.version, a.updatedAt, a.createdAt, a.status, a.startMs, a.endMs, a.type, a.patientName, a.doctorName, a.patientEmail ?? ""].join("\u0001");
}

let scratch: ICalCalendar | null = null;

/**
 * A second, lasting memo behind the isolate's (the DoctorHub's own SQLite storage,
 * feed-refresh.ts): a hub that was evicted since its last build finds its events' texts there
 * instead of rendering them all again. `config` is the part of every key shared by one feed.
 */
export interface VeventStore {
  getMany(config: string, eventKeys: string[]): Map<string, string>;
  /** The texts rendered in this build; `keep` are all event keys of the build (the rest may go). */
  putMany(config: string, rendered: [string, string][], keep: string[]): void;
}

/** Same bytes as renderCalendar(o), faster when most events were rendered before in this isolate (or are in `store`). */
export function renderCalendarMemo(o: RenderOptions, store?: VeventStore): string {
  if (o.appointments.length === 0) return renderCalendar(o);
  // Header (VCALENDAR properties, VTIMEZONE) and footer come from the library, rendered with one event.
  // That event must be one written with the clinic's TZID when any is (events in a DST
  // overlap are written in UTC and would leave the VTIMEZONE out of the shell).
  const zoned = o.appointments.find((a) => eventZone(a, o.clinic.timeZone) !== null) ?? o.appointments[0];
  const shell = renderCalendar({ ...o, appointments: [zoned] });
  const begin = shell.indexOf("BEGIN:VEVENT\r\n");
  const endTag = "END:VEVENT\r\n";
  const end = shell.lastIndexOf(endTag) + endTag.length;
  const cfg = configKey(o);
  // A bare calendar (no zone name, UTC stamps) is all ICalEvent needs to serialize itself.
  scratch ??= new ICalCalendar({ timezone: { name: null, generator: () => null } });
  const parts: string[] = [shell.slice(0, begin)];
  const eventKeys = o.appointments.map(eventKey);
  const remember = (key: string, text: string) => {
    if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!); // oldest first
    memo.set(key, text);
  };
  if (store) {
    const missing = eventKeys.filter((k) => !memo.has(`${cfg}\u0002${k}`));
    if (missing.length) for (const [k, text] of store.getMany(cfg, missing)) remember(`${cfg}\u0002${k}`, text);
  }
  const rendered: [string, string][] = [];
  o.appointments.forEach((a, i) => {
    const key = `${cfg}\u0002${eventKeys[i]}`;
    let text = memo.get(key);
    if (text === undefined) {
      text = foldLines(new ICalEvent(eventData(a, o), scratch!).toString());
      remember(key, text);
      rendered.push([eventKeys[i], text]);
    }
    parts.push(text);
  });
  parts.push(shell.slice(end));
  store?.putMany(cfg, rendered, eventKeys);
  return parts.join("");
}

/** Tests and benchmarks: forget every remembered event. */
export function clearRenderMemo(): void {
  memo.clear();
}
