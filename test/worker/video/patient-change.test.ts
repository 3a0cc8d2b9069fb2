// A video appointment whose patient staff replace gets a new room in the same batch: the old
// patient has the old link (invites, reminders) and must not be able to join the new patient's visit.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authed, makeClinic } from "../../helpers";

const START = "2027-03-10T14:00:00.000Z";
const END = "2027-03-10T14:30:00.000Z";
const videoOf = (id: string) => env.DB.prepare("SELECT provider, url FROM appointment_video WHERE appointment_id = ?").bind(id).first<{ provider: string; url: string }>();

async function setUp(type?: string) {
  const f = await makeClinic({ patients: [{ email: "old@mail.example" }, { email: "new@mail.example" }] });
  const api = authed(f.tokens.receptionist);
  const res = await api.post("/api/appointments", { doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, start: START, end: END, ...(type ? { type } : {}) });
  expect(res.status).toBe(201);
  const a = (await res.json<any>()).appointment;
  const swap = async (extra: Record<string, unknown> = {}) => {
    const r = await api.patch(`/api/appointments/${a.id}`, { version: a.version, patientId: f.patients[1].id, ...extra });
    expect(r.status).toBe(200);
    return (await r.json<any>()).appointment;
  };
  return { f, api, a, swap };
}

describe("video room on a patient change", () => {
  it("replacing the patient of a video appointment gives it a new Jitsi room; a reschedule keeps the room", async () => {
    const { api, a, swap } = await setUp("video");
    const old = await videoOf(a.id);
    expect(old!.url).toMatch(/^https:\/\/meet\.jit\.si\/acms-[0-9a-f]{32}$/);
    const b = await swap();
    const now = await videoOf(a.id);
    expect(now).toMatchObject({ provider: "jitsi" });
    expect(now!.url).toMatch(/^https:\/\/meet\.jit\.si\/acms-[0-9a-f]{32}$/);
    expect(now!.url).not.toBe(old!.url);
    expect((await (await api.get(`/api/appointments/${a.id}/engagement`)).json<any>()).video.joinUrl).toBe(now!.url);
    // Moving it with the same patient keeps the (new) room.
    expect((await api.patch(`/api/appointments/${a.id}`, { version: b.version, start: "2027-03-11T14:00:00.000Z", end: "2027-03-11T14:30:00.000Z" })).status).toBe(200);
    expect((await videoOf(a.id))!.url).toBe(now!.url);
  });

  it("a Teams link is dropped for a fresh Jitsi room; an appointment without video gets none", async () => {
    const teams = await setUp("video");
    await env.DB.prepare("UPDATE appointment_video SET provider = 'teams', url = 'https://teams.microsoft.com/l/meetup-join/old-patient' WHERE appointment_id = ?").bind(teams.a.id).run();
    await teams.swap();
    const v = await videoOf(teams.a.id);
    expect(v!.provider).toBe("jitsi");
    expect(v!.url).toMatch(/^https:\/\/meet\.jit\.si\/acms-[0-9a-f]{32}$/);

    const plain = await setUp();
    await plain.swap();
    expect(await videoOf(plain.a.id)).toBeNull();
    // Patient and type changed at once (to a video type): one new room.
    const both = await setUp();
    await both.swap({ type: "video" });
    expect((await videoOf(both.a.id))!.url).toMatch(/^https:\/\/meet\.jit\.si\/acms-/);
  });
});
