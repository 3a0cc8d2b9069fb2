// ACMS → CalDAV against a real Radicale: one resource per appointment at
// <appointmentId>.ics, no PHI in what the server stores (read back raw),
// idempotent creates, reschedule keeps href + UID with SEQUENCE up, cancel deletes.
import { describe, expect, it } from "vitest";
import { authed, json } from "../../helpers";
import { providerFor, type IntegrationRow } from "../../../worker/sync/integrations";
import { at, blocks, book, connectDoctor, DAY, env, ics, listRaw, PHI, poll, putRaw, settle } from "./harness";
import { dayPlus, icsDay } from "../../days";

const calName = (url: string) => new URL(url).pathname.split("/").filter(Boolean).at(-1)!;
const prop = (ics: string, name: string) => new RegExp(`^${name}[;:](.*)$`, "m").exec(ics.replace(/\r\n[ \t]/g, ""))?.[1] ?? null;

describe("CalDAV outbound (Radicale)", () => {
  it("book 20 → exactly 20 resources at <id>.ics, none with PHI; the hub's next run writes nothing", async () => {
    const c = await connectDoctor();
    const slots = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "13:00", "13:30", "14:00", "14:30"];
    const ids: string[] = [];
    for (const day of [DAY, dayPlus(1)])
      for (const s of slots) {
        const [h, m] = s.split(":").map(Number);
        const end = `${String(h + (m === 30 ? 1 : 0)).padStart(2, "0")}:${m === 30 ? "00" : "30"}`;
        ids.push((await book(c, s, end, day)).id);
      }
    await settle(c.doctorId);
    const raw = await listRaw(c.dav, calName(c.writeCal));
    expect(raw.map((r) => r.href.split("/").at(-1)).sort()).toEqual(ids.map((id) => `${id}.ics`).sort());
    const clinic = await env.DB.prepare("SELECT domain FROM clinics WHERE id = ?").bind(c.f.clinic.id).first<{ domain: string }>();
    for (const r of raw) {
      const ics = await (await c.dav.req("GET", r.href)).text();
      for (const secret of Object.values(PHI)) expect(ics).not.toContain(secret);
      const id = r.href.split("/").at(-1)!.replace(".ics", "");
      expect(prop(ics, "SUMMARY")).toBe("Patient Appointment");
      expect(prop(ics, "UID")).toBe(`${id}@${clinic!.domain}`);
      expect(prop(ics, "CLASS")).toBe("PRIVATE");
      expect(prop(ics, "TRANSP")).toBe("OPAQUE");
      expect(prop(ics, "X-ACMS-APPOINTMENT-ID")).toBe(id);
      expect(prop(ics, "URL")).toContain(`/appointments/${id}`);
      expect(ics).toMatch(/DTSTART;TZID=Europe\/London:/);
      expect(ics).toContain("BEGIN:VTIMEZONE");
      expect(ics).not.toContain("BEGIN:VALARM");
    }
    const links = await env.DB.prepare("SELECT COUNT(*) AS n FROM appointment_links WHERE integration_id = ? AND state = 'synced'").bind(c.integrationId).first<{ n: number }>();
    expect(links!.n).toBe(20);
    const outbox = await env.DB.prepare("SELECT COUNT(*) AS n FROM sync_outbox WHERE doctor_id = ? AND state = 'pending'").bind(c.doctorId).first<{ n: number }>();
    expect(outbox!.n).toBe(0);
  });

  it("a retried create (answer lost) makes one resource, never two", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    const integ = (await env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<IntegrationRow>())!;
    const p = providerFor(env, integ, "Europe/London", async () => {});
    const body = {
      appointmentId: appt.id,
      doctorId: c.doctorId,
      clinicId: c.f.clinic.id,
      version: appt.version,
      startMs: Date.parse(appt.start),
      endMs: Date.parse(appt.end),
      status: appt.status,
      url: `${env.APP_URL}/appointments/${appt.id}`,
      timeZone: "Europe/London",
    };
    // The outbox already created it; two more "creates" (no etag) as after lost answers:
    const a = await p.upsertEvent(c.writeCal, body, null);
    const b = await p.upsertEvent(c.writeCal, body, null);
    expect(a.id).toBe(b.id);
    expect(b.etag).toBeTruthy();
    const raw = await listRaw(c.dav, calName(c.writeCal));
    expect(raw.map((r) => r.href)).toEqual([a.id]);
    expect(raw[0].etag).toBe(b.etag);
  });

  it("reschedule keeps the href and UID, SEQUENCE goes up; cancel deletes the resource", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    const [before] = await listRaw(c.dav, calName(c.writeCal));
    const ics1 = await (await c.dav.req("GET", before.href)).text();
    const rec = authed(c.f.tokens.receptionist);
    const moved = await json(await rec.patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("11:00"), end: at("11:30") }));
    await settle(c.doctorId);
    const after = await listRaw(c.dav, calName(c.writeCal));
    expect(after.map((r) => r.href)).toEqual([before.href]);
    expect(after[0].etag).not.toBe(before.etag);
    const ics2 = await (await c.dav.req("GET", before.href)).text();
    expect(prop(ics2, "UID")).toBe(prop(ics1, "UID"));
    expect(Number(prop(ics2, "SEQUENCE"))).toBeGreaterThan(Number(prop(ics1 , "SEQUENCE") ?? 0));
    expect(prop(ics2, "DTSTART;TZID=Europe/London")).toBe(`${icsDay(0)}T110000`);
    const link = await env.DB.prepare("SELECT etag, external_id FROM appointment_links WHERE appointment_id = ?").bind(appt.id).first<{ etag: string; external_id: string }>();
    expect(link).toEqual({ etag: after[0].etag, external_id: before.href });

    expect((await c.doctor.post(`/api/appointments/${appt.id}/cancel`, { version: moved.appointment.version })).status).toBe(200);
    await settle(c.doctorId);
    expect(await listRaw(c.dav, calName(c.writeCal))).toEqual([]);
    expect((await c.dav.req("GET", before.href)).status).toBe(404);
  });

  it("disconnect with removeEvents: our resources deleted, credentials, sync state and imported blocks gone, audited", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    await putRaw(c.dav, calName(c.writeCal), "lunch.ics", ics(["BEGIN:VEVENT", "UID:l", "DTSTAMP:20261101T000000Z", `DTSTART:${icsDay(0)}T120000Z`, `DTEND:${icsDay(0)}T130000Z`, "END:VEVENT"].join("\r\n")));
    await settle(c.doctorId);
    await poll(c);
    expect(await blocks(c.doctorId)).toHaveLength(1);
    const res = await c.doctor(`/api/integrations/${c.integrationId}?removeEvents=true`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ disconnected: true, removedEvents: 1, problems: [] });
    const left = (await listRaw(c.dav, calName(c.writeCal))).map((r) => r.href.split("/").at(-1));
    expect(left).toEqual(["lunch.ics"]); // theirs stays, ours is gone
    expect(left).not.toContain(`${appt.id}.ics`);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first()).toEqual({ n: 0 });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM integration_calendars WHERE integration_id = ?").bind(c.integrationId).first()).toEqual({ n: 0 });
    expect(await blocks(c.doctorId)).toHaveLength(0);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'integration.disconnect'").bind(c.integrationId).first()).toEqual({ n: 1 });
  });
});
