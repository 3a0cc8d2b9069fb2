// Our own events changed by another client directly on the CalDAV server (a plain
// PUT/DELETE, as the iPhone would): the engine's conflict policy decides, the doctor
// is told; a revoked password → needs_reconnect once, no retry loop, nothing lost.
import { describe, expect, it } from "vitest";
import { authed, json } from "../../helpers";
import { at, book, connectDoctor, env, metrics, notices, PHI, poll, putRaw, setPassword, settle, hubOf, listRaw } from "./harness";
import { icsDay } from "../../days";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cal = (url: string) => new URL(url).pathname.split("/").filter(Boolean).at(-1)!;
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/** What an iPhone does when the doctor drags the event: same UID/href, new times, new LAST-MODIFIED. */
async function moveOnServer(c: Awaited<ReturnType<typeof connectDoctor>>, apptId: string, start: string, end: string, editedAt = Date.now()) {
  const [r] = (await listRaw(c.dav, cal(c.writeCal))).filter((x) => x.href.endsWith(`${apptId}.ics`));
  const text = (await (await c.dav.req("GET", r.href)).text()).replace(/\r\n[ \t]/g, "");
  const i = text.indexOf("BEGIN:VEVENT");
  const next = text.slice(0, i) + text.slice(i)
    .replace(/^DTSTART[^\r\n]*$/m, `DTSTART:${stamp(Date.parse(start))}`)
    .replace(/^DTEND[^\r\n]*$/m, `DTEND:${stamp(Date.parse(end))}`)
    .replace(/^LAST-MODIFIED[^\r\n]*$/m, `LAST-MODIFIED:${stamp(editedAt)}`)
    .replace(/^DTSTAMP[^\r\n]*$/m, `DTSTAMP:${stamp(editedAt)}`)
    .replace(/^SUMMARY[^\r\n]*$/m, "SUMMARY:Moved on my iPhone");
  return putRaw(c.dav, cal(c.writeCal), r.href.split("/").at(-1)!, next, r.etag);
}

describe("CalDAV conflict policy and credentials (Radicale)", () => {
  it("moved on the server (newer) → the appointment moves in ACMS; medical fields untouched; no conflict notice", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    await moveOnServer(c, appt.id, at("09:30"), at("10:00"), Date.now() + 1000);
    await poll(c);
    const cur = (await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment;
    expect(cur).toMatchObject({ start: at("09:30"), end: at("10:00"), reason: PHI.reason, notes: PHI.notes, status: appt.status });
    expect(await notices(c.userId, "sync_conflict")).toHaveLength(0);
    // Our echo is not a change: the next poll leaves it alone.
    await poll(c);
    expect((await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment.version).toBe(cur.version);
  });

  it("both edit, ACMS later → ACMS wins, written back with If-Match after the 412, doctor told", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    // The doctor moves it on the iPhone... (LAST-MODIFIED has whole seconds: let a second pass each time)
    await sleep(1100);
    await moveOnServer(c, appt.id, at("14:00"), at("14:30"));
    await sleep(1100);
    // ...and the receptionist reschedules in ACMS before any poll: the PUT's If-Match fails (412).
    const res = await authed(c.f.tokens.receptionist).patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("11:00"), end: at("11:30") });
    expect(res.status).toBe(200);
    await settle(c.doctorId);
    await poll(c);
    expect((await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment).toMatchObject({ start: at("11:00"), end: at("11:30") });
    const [r] = await listRaw(c.dav, cal(c.writeCal));
    const text = await (await c.dav.req("GET", r.href)).text();
    expect(text).toContain(`DTSTART;TZID=Europe/London:${icsDay(0)}T110000`);
    const [n] = await notices(c.userId, "sync_conflict");
    expect(n.message).toContain("later edit (in ACMS) wins");
  });

  it("both edit, server later → the server's timing wins and the doctor is told", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    // ACMS reschedules while the server refuses writes (revoked for a moment) ...
    await setPassword(c.dav.user, "temporarily-wrong");
    await authed(c.f.tokens.receptionist).patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("11:00"), end: at("11:30") });
    await settle(c.doctorId);
    expect((await env.DB.prepare("SELECT status FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>()).status).toBe("needs_reconnect");
    await setPassword(c.dav.user, c.dav.password);
    // ... then the doctor moves it on the iPhone, later, and reconnects.
    await moveOnServer(c, appt.id, at("14:00"), at("14:30"), Date.now() + 60_000);
    const again = await c.doctor.post("/api/integrations/caldav/connect", { kind: "other", serverUrl: c.dav.base, username: c.dav.user, password: c.dav.password });
    expect(again.status).toBe(200);
    await settle(c.doctorId);
    await poll(c);
    expect((await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment).toMatchObject({ start: at("14:00"), end: at("14:30") });
    const [n] = await notices(c.userId, "sync_conflict");
    expect(n.message).toContain("wins");
    // Issue 17: the server is named by its host; "iCloud" only for Apple's servers.
    expect(n.message).toContain(new URL(c.dav.base).hostname);
    expect(n.message).not.toContain("iCloud");
  });

  it("deleted on the server → re-created at the same href, doctor told; the appointment stays", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "15:00", "15:30");
    await settle(c.doctorId);
    const [r] = await listRaw(c.dav, cal(c.writeCal));
    expect((await c.dav.req("DELETE", r.href)).status).toBe(200);
    await poll(c);
    const after = await listRaw(c.dav, cal(c.writeCal));
    expect(after.map((x) => x.href)).toEqual([r.href]);
    expect((await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment.status).not.toBe("cancelled");
    expect(await notices(c.userId, "sync_recreated")).toHaveLength(1);
  });

  it("password revoked (htpasswd changed) → needs_reconnect once, one notice, no loop, outbox kept; reconnect catches up", async () => {
    const c = await connectDoctor();
    await setPassword(c.dav.user, "revoked-by-the-user");
    const appt = await book(c, "16:00", "16:30");
    await settle(c.doctorId);
    expect((await env.DB.prepare("SELECT status FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>()).status).toBe("needs_reconnect");
    expect(await notices(c.userId, "integration_reconnect")).toHaveLength(1);
    expect((await env.DB.prepare("SELECT state FROM sync_outbox WHERE appointment_id = ?").bind(appt.id).first<any>()).state).toBe("pending");
    const m = await metrics(c.integrationId);
    await hubOf(c.doctorId).kick(c.doctorId);
    await poll(c);
    expect(await metrics(c.integrationId)).toEqual(m); // no further requests: no loop
    expect(await notices(c.userId, "integration_reconnect")).toHaveLength(1);
    // The doctor makes a new app-specific password and reconnects: the pending booking goes out.
    await setPassword(c.dav.user, c.dav.password); // (the raw test client keeps using this one)
    const res = await c.doctor.post("/api/integrations/caldav/connect", { kind: "other", serverUrl: c.dav.base, username: c.dav.user, password: c.dav.password });
    expect(res.status).toBe(200);
    await settle(c.doctorId);
    expect((await env.DB.prepare("SELECT status FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>()).status).toBe("active");
    expect((await listRaw(c.dav, cal(c.writeCal))).map((x) => x.href.split("/").at(-1))).toEqual([`${appt.id}.ics`]);
  });
});
