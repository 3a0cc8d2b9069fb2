// CalDAV reads at their edges against a real Radicale, with the server's answer bent by a
// test-only fetch wrapper where Radicale cannot produce it (a truncated 507 listing, a 503):
//   - a full listing whose collection is answered 507 (results truncated) keeps the blocks
//     the partial answer did not name (no double bookings while the integration looks healthy);
//   - a recurring busy resource edited into one event drops its old occurrences at once;
//   - a 503 + Retry-After on sync-collection backs the account off; it is not a bad token
//     (no full listing against a struggling server).
import { describe, expect, it } from "vitest";
import { blocks, connectDoctor, env, ics, poll, putRaw, spans, at } from "./harness";
import { dayPlus, icsDay } from "../../days";

const cal = (url: string) => new URL(url).pathname.split("/").filter(Boolean).at(-1)!;
const ev = (uid: string, lines: string[]) => ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20261101T000000Z", ...lines, "END:VEVENT"].join("\r\n");

interface Seen {
  method: string;
  url: string;
  body: string;
}
/** Wraps fetch: `bend` may answer a request itself (given the real answer lazily). */
function installBend(bend: (req: Request, body: string, real: () => Promise<Response>) => Promise<Response | null>) {
  const original = globalThis.fetch;
  const seen: Seen[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input as RequestInfo, init);
    const body = req.body ? await req.clone().text() : "";
    seen.push({ method: req.method, url: req.url, body });
    return (await bend(req, body, () => original(req))) ?? original(req);
  }) as typeof fetch;
  return { seen, uninstall: () => void (globalThis.fetch = original) };
}

describe("CalDAV listing edges (Radicale)", () => {
  it("a full listing answered with 507 for the collection (truncated) keeps the blocks it did not name", async () => {
    const c = await connectDoctor();
    const w = cal(c.writeCal);
    await putRaw(c.dav, w, "lunch.ics", ics(ev("lunch", [`DTSTART:${icsDay(1)}T120000Z`, `DTEND:${icsDay(1)}T130000Z`])));
    await putRaw(c.dav, w, "gym.ics", ics(ev("gym", [`DTSTART:${icsDay(1)}T170000Z`, `DTEND:${icsDay(1)}T180000Z`])));
    await poll(c);
    expect(await blocks(c.doctorId)).toHaveLength(2);

    // The next read is a full listing (as the daily one); the server cuts it short after lunch.
    await env.DB.prepare("UPDATE integration_calendars SET sync_cursor = NULL WHERE integration_id = ?").bind(c.integrationId).run();
    const collection = new URL(c.writeCal).pathname;
    let bent = 0;
    const net = installBend(async (req, body, real) => {
      if (req.method !== "REPORT" || !/calendar-query/.test(body)) return null;
      const xml = await (await real()).text();
      const prefix = /<(\w+:)?multistatus/.exec(xml)?.[1] ?? "";
      const parts = xml.split(new RegExp(`(?=<${prefix}response>)`));
      const kept = parts.filter((p) => !p.includes("gym.ics")).join("");
      const truncated = `<${prefix}response><${prefix}href>${collection}</${prefix}href><${prefix}status>HTTP/1.1 507 Insufficient Storage</${prefix}status></${prefix}response>`;
      bent++;
      return new Response(kept.replace(new RegExp(`</${prefix}multistatus>`), `${truncated}</${prefix}multistatus>`), {
        status: 207,
        headers: { "content-type": "application/xml; charset=utf-8" },
      });
    });
    try {
      await poll(c);
    } finally {
      net.uninstall();
    }
    expect(bent).toBeGreaterThan(0);
    expect(await spans(c.doctorId)).toEqual([
      [`${dayPlus(1)}T12:00:00.000Z`, `${dayPlus(1)}T13:00:00.000Z`, false],
      [`${dayPlus(1)}T17:00:00.000Z`, `${dayPlus(1)}T18:00:00.000Z`, false],
    ]);
    // Not recorded as a full listing: the next read lists in full again.
    const row = await env.DB.prepare("SELECT sync_cursor FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(c.integrationId, c.writeCal).first<{ sync_cursor: string }>();
    expect(row!.sync_cursor.startsWith("0~")).toBe(true);
    // Untruncated, the full listing does drop what is gone.
    await c.dav.req("DELETE", `/${c.dav.user}/${w}/gym.ics`);
    await poll(c);
    expect(await spans(c.doctorId)).toEqual([[`${dayPlus(1)}T12:00:00.000Z`, `${dayPlus(1)}T13:00:00.000Z`, false]]);
  });

  it("a recurring busy event edited into a single event: its old occurrences stop blocking at the next poll", async () => {
    const c = await connectDoctor();
    const w = cal(c.writeCal);
    const etag = await putRaw(c.dav, w, "team.ics", ics(ev("team", [`DTSTART:${icsDay(0)}T160000Z`, `DTEND:${icsDay(0)}T163000Z`, "RRULE:FREQ=DAILY;COUNT=3"])));
    await poll(c);
    expect(await spans(c.doctorId)).toEqual([
      [at("16:00"), at("16:30"), false],
      [`${dayPlus(1)}T16:00:00.000Z`, `${dayPlus(1)}T16:30:00.000Z`, false],
      [`${dayPlus(2)}T16:00:00.000Z`, `${dayPlus(2)}T16:30:00.000Z`, false],
    ]);
    // Another client turns the series into one event (same resource, same UID), an hour later.
    await putRaw(c.dav, w, "team.ics", ics(ev("team", ["SEQUENCE:1", `DTSTART:${icsDay(1)}T170000Z`, `DTEND:${icsDay(1)}T173000Z`])), etag!);
    await poll(c);
    expect(await spans(c.doctorId)).toEqual([[`${dayPlus(1)}T17:00:00.000Z`, `${dayPlus(1)}T17:30:00.000Z`, false]]);
    // The block left is the single event's (the gone series did not take it along).
    const [b] = await blocks(c.doctorId);
    expect(b.external_id.endsWith("team.ics_0")).toBe(true);
  });

  it("a 503 + Retry-After on sync-collection backs the account off; no full listing against the struggling server", async () => {
    const c = await connectDoctor();
    const w = cal(c.writeCal);
    await putRaw(c.dav, w, "lunch.ics", ics(ev("lunch", [`DTSTART:${icsDay(1)}T120000Z`, `DTEND:${icsDay(1)}T130000Z`])));
    await poll(c);
    expect(await blocks(c.doctorId)).toHaveLength(1);
    await putRaw(c.dav, w, "gym.ics", ics(ev("gym", [`DTSTART:${icsDay(1)}T170000Z`, `DTEND:${icsDay(1)}T180000Z`])));
    const net = installBend(async (req, body) =>
      req.method === "REPORT" && /sync-collection/.test(body) ? new Response("busy", { status: 503, headers: { "retry-after": "120" } }) : null,
    );
    const started = Date.now();
    try {
      await poll(c);
    } finally {
      net.uninstall();
    }
    const reports = net.seen.filter((r) => r.method === "REPORT");
    expect(reports.some((r) => /sync-collection/.test(r.body))).toBe(true);
    expect(reports.filter((r) => /calendar-query/.test(r.body))).toEqual([]);
    const integ = await env.DB.prepare("SELECT backoff_until FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<{ backoff_until: number | null }>();
    expect(integ!.backoff_until).toBeGreaterThanOrEqual(started + 100_000);
    expect(await blocks(c.doctorId)).toHaveLength(1); // nothing dropped, nothing half-read
  });
});
