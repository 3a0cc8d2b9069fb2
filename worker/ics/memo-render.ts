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

/** Same bytes as renderCalendar(o), faster when most events were rendered before in this isolate. */
export function renderCalendarMemo(o: RenderOptions): string {
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
  for (const a of o.appointments) {
    const key = `${cfg}\u0002${eventKey(a)}`;
    let text = memo.get(key);
    if (text === undefined) {
      text = foldLines(new ICalEvent(eventData(a, o), scratch).toString());
      if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!); // oldest first
      memo.set(key, text);
    }
    parts.push(text);
  }
  parts.push(shell.slice(end));
  return parts.join("");
}

/** Tests and benchmarks: forget every remembered event. */
export function clearRenderMemo(): void {
  memo.clear();
}
