// CalDAV (the real Radicale) as a LifecycleHarness for the provider-neutral lifecycle
// scenarios (test/worker/sync/scenarios/lifecycle.ts). The doctor's other CalDAV client
// (an iPhone) is played by raw requests to Radicale; CalDAV has no push, so the engine
// polls (the scenarios poll as the cron would).
import type { ConnectedDoctor } from "../sync/scenarios/provider";
import type { LifecycleHarness, OurEvent } from "../sync/scenarios/lifecycle";
import { connectDoctor, listRaw, putRaw, radicale, settle, type DavUser } from "./harness";

const davOf = new Map<string, { dav: DavUser; writeCal: string }>();
const calName = (url: string) => new URL(url).pathname.split("/").filter(Boolean).at(-1)!;
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
const unfold = (t: string) => t.replace(/\r\n[ \t]/g, "");
/** Our test dates are in a London winter (= UTC), so a TZID=Europe/London wall time reads as UTC. */
const msOf = (v: string) => {
  const m = v.match(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
};

async function resources(c: ConnectedDoctor) {
  const { dav, writeCal } = davOf.get(c.doctorId)!;
  const out: { href: string; etag: string; text: string }[] = [];
  for (const r of await listRaw(dav, calName(writeCal))) out.push({ ...r, text: unfold(await (await dav.req("GET", r.href)).text()) });
  return out;
}

/** The Radicale user a connected doctor's integration signs in as (to connect the same account again). */
export const davUserOf = (doctorId: string) => davOf.get(doctorId)!.dav;

export const caldavLifecycle: LifecycleHarness = {
  name: "caldav",
  install: () => () => {},
  async connect() {
    const c = await connectDoctor();
    davOf.set(c.doctorId, { dav: c.dav, writeCal: c.writeCal });
    return { f: c.f, doctorId: c.doctorId, userId: c.userId, doctor: c.doctor, integrationId: c.integrationId, account: c.dav.user };
  },
  async reconnect(c) {
    const { dav } = davOf.get(c.doctorId)!;
    const res = await c.doctor.post("/api/integrations/caldav/connect", { kind: "other", serverUrl: dav.base, username: dav.user, password: dav.password });
    if (res.status !== 201) throw new Error(`reconnect: ${res.status} ${await res.text()}`);
    c.integrationId = (await res.json<any>()).integration.id;
  },
  settle: (doctorId) => settle(doctorId),
  apiHost: () => new URL(radicale().url!).host,
  async ourEvents(c) {
    const out: OurEvent[] = [];
    for (const r of await resources(c)) {
      const id = /^X-ACMS-APPOINTMENT-ID:(.+)$/m.exec(r.text)?.[1]?.trim();
      const ev = r.text.slice(r.text.indexOf("BEGIN:VEVENT")); // not the VTIMEZONE's DTSTARTs
      if (!id || /^STATUS:CANCELLED/m.test(ev)) continue;
      out.push({ appointmentId: id, startMs: msOf(/^DTSTART[^:\r\n]*:(.+)$/m.exec(ev)![1]), endMs: msOf(/^DTEND[^:\r\n]*:(.+)$/m.exec(ev)![1]) });
    }
    return out;
  },
  /** What an iPhone does when the doctor drags the event: same UID/href, new times, new LAST-MODIFIED. */
  async move(c, appointmentId, start, end) {
    const { dav, writeCal } = davOf.get(c.doctorId)!;
    const r = (await resources(c)).find((x) => x.href.endsWith(`${appointmentId}.ics`))!;
    const i = r.text.indexOf("BEGIN:VEVENT");
    const now = Date.now();
    const next = r.text.slice(0, i) + r.text.slice(i)
      .replace(/^DTSTART[^\r\n]*$/m, `DTSTART:${stamp(Date.parse(start))}`)
      .replace(/^DTEND[^\r\n]*$/m, `DTEND:${stamp(Date.parse(end))}`)
      .replace(/^LAST-MODIFIED[^\r\n]*$/m, `LAST-MODIFIED:${stamp(now)}`)
      .replace(/^DTSTAMP[^\r\n]*$/m, `DTSTAMP:${stamp(now)}`);
    await putRaw(dav, calName(writeCal), r.href.split("/").at(-1)!, next, r.etag);
  },
};

