// Video visits (Jitsi) and the personal link in invites.
import { env } from "cloudflare:workers";
import { jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bindingSender, setEmailSenderOverride, type OutgoingEmail } from "../../../worker/email/sender";
import { inviteLinkUrl } from "../../../worker/patient-links/links";
import { drainReminders } from "../../../worker/reminders/send";
import { joinUrl, newJitsiUrl } from "../../../worker/video/jitsi";
import { authed, makeClinic, worker } from "../../helpers";

let mails: OutgoingEmail[] = [];
beforeEach(() => {
  mails = [];
  setEmailSenderOverride((e) => {
    const real = bindingSender(e.EMAIL!);
    return { async send(m) { await real.send(m); mails.push(m); } };
  });
});
afterEach(() => setEmailSenderOverride(null));
const hubIdle = (doctorId: string) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId)).idle();
const decoded = (raw: string) =>
  raw
    .split(/\r\n\r\n/)
    .map((chunk) => {
      const b = chunk.split(/\r\n--/)[0].replace(/\s+/g, "");
      try {
        return /^[A-Za-z0-9+/=]{16,}$/.test(b) ? new TextDecoder().decode(Uint8Array.from(atob(b), (c) => c.charCodeAt(0))) : "";
      } catch {
        return "";
      }
    })
    .join("\n");

describe("video visits", () => {
  it("a video-type booking gets a Jitsi room with 128 random bits, kept across a reschedule, and reminders carry it", async () => {
    const f = await makeClinic({ patients: [{ email: "v@mail.example" }] });
    const api = authed(f.tokens.receptionist);
    const d = f.doctors[0].doctor;
    const res = await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: "2027-03-10T14:00:00.000Z", end: "2027-03-10T14:30:00.000Z", type: "video" });
    const a = (await res.json<any>()).appointment;
    const eng = await (await api.get(`/api/appointments/${a.id}/engagement`)).json<any>();
    expect(eng.video.provider).toBe("jitsi");
    expect(eng.video.joinUrl).toMatch(/^https:\/\/meet\.jit\.si\/acms-[0-9a-f]{32}$/);
    // The .ics (downloads and the patient's invite) carries the link: LOCATION and DESCRIPTION.
    const ics = (await (await api.get(`/api/appointments/${a.id}/ical`)).text()).replace(/\r\n[ \t]/g, "");
    expect(ics).toContain(`LOCATION:${eng.video.joinUrl}`);
    expect(ics).toContain(`Video visit: ${eng.video.joinUrl}`);
    await hubIdle(d.id);
    const invite = mails.find((m) => m.to === "v@mail.example")!;
    expect(decoded(invite.raw).replace(/\r\n[ \t]/g, "")).toContain(`LOCATION:${eng.video.joinUrl}`);
    const moved = await api.patch(`/api/appointments/${a.id}`, { version: a.version, start: "2027-03-11T10:00:00.000Z", end: "2027-03-11T10:30:00.000Z" });
    expect(moved.status).toBe(200);
    const eng2 = await (await api.get(`/api/appointments/${a.id}/engagement`)).json<any>();
    expect(eng2.video.joinUrl).toBe(eng.video.joinUrl);
    await hubIdle(d.id);
    mails = [];
    await drainReminders(env, d.id, Date.parse("2027-03-10T10:00:30Z"));
    expect(mails).toHaveLength(1);
    expect(decoded(mails[0].raw)).toContain(`Video visit: ${eng.video.joinUrl}`);

    // Two rooms are never the same.
    expect(newJitsiUrl(undefined)).not.toBe(newJitsiUrl(undefined));
    // A clinic's own Jitsi server is used; a non-https one is refused (public server instead).
    expect(newJitsiUrl("https://video.clinic.example/")).toMatch(/^https:\/\/video\.clinic\.example\/acms-[0-9a-f]{32}$/);
    expect(newJitsiUrl("http://video.clinic.example")).toMatch(/^https:\/\/meet\.jit\.si\//);
  });

  it("staff can turn video on for one appointment; a non-video booking has none", async () => {
    const f = await makeClinic();
    const api = authed(f.tokens.receptionist);
    const d = f.doctors[0].doctor;
    const a = (await (await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: "2027-03-10T14:00:00.000Z", end: "2027-03-10T14:30:00.000Z" })).json<any>()).appointment;
    expect((await (await api.get(`/api/appointments/${a.id}/engagement`)).json<any>()).video).toBeNull();
    const on = await api.put(`/api/appointments/${a.id}/video`, { enabled: true });
    expect(on.status).toBe(200);
    expect((await on.json<any>()).video.joinUrl).toMatch(/^https:\/\/meet\.jit\.si\/acms-/);
    const other = await makeClinic();
    expect((await authed(other.tokens.receptionist).put(`/api/appointments/${a.id}/video`, { enabled: true })).status).toBe(404);
  });

  it("turning video on or off for a booked visit sends the patient an updated invite with (or without) the link; once per change", async () => {
    const f = await makeClinic({ patients: [{ email: "pat.video@mail.example" }] });
    const api = authed(f.tokens.receptionist);
    const d = f.doctors[0].doctor;
    const a = (await (await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: "2027-03-11T14:00:00.000Z", end: "2027-03-11T14:30:00.000Z" })).json<any>()).appointment;
    await hubIdle(d.id);
    const toPatient = () => mails.filter((m) => m.to === "pat.video@mail.example").map((m) => decoded(m.raw));
    expect(toPatient()).toHaveLength(1); // the booking's invite, without video
    const on = await api.put(`/api/appointments/${a.id}/video`, { enabled: true });
    const url = (await on.json<any>()).video.joinUrl as string;
    await hubIdle(d.id);
    expect(toPatient()).toHaveLength(2);
    const update = toPatient()[1];
    expect(update).toContain("METHOD:REQUEST");
    expect(update).toContain(`UID:${a.id}`);
    expect(update.replace(/\r\n[ \t]/g, "")).toContain(url);
    // Turning on what is on: no e-mail.
    await api.put(`/api/appointments/${a.id}/video`, { enabled: true });
    await hubIdle(d.id);
    expect(toPatient()).toHaveLength(2);
    // Off: an update without the link.
    await api.put(`/api/appointments/${a.id}/video`, { enabled: false });
    await hubIdle(d.id);
    expect(toPatient()).toHaveLength(3);
    expect(toPatient()[2]).toContain("METHOD:REQUEST");
    expect(toPatient()[2].replace(/\r\n[ \t]/g, "")).not.toContain(url);
  });

  it("a self-hosted Jitsi gets a signed JWT for the room, valid until an hour after the visit", async () => {
    const url = await joinUrl("https://video.clinic.example/acms-00112233445566778899aabbccddeeff", Date.parse("2027-03-10T14:30:00Z"), { appId: "acms", secret: "s3cret-s3cret-s3cret-s3cret-s3cret" });
    const u = new URL(url);
    const { payload } = await jwtVerify(u.searchParams.get("jwt")!, new TextEncoder().encode("s3cret-s3cret-s3cret-s3cret-s3cret"), { audience: "jitsi", issuer: "acms", currentDate: new Date("2027-03-10T15:00:00Z") });
    expect(payload.room).toBe("acms-00112233445566778899aabbccddeeff");
    expect(payload.sub).toBe("video.clinic.example");
    expect(payload.exp).toBe(Date.parse("2027-03-10T15:30:00Z") / 1000);
  });
});

describe("invites carry the patient's personal link", () => {
  it("the REQUEST e-mail links to /r/<token>, derived from its outbox row (nothing stored), which opens that appointment until it ends", async () => {
    const f = await makeClinic({ name: "Linkside", patients: [{ email: "l@mail.example" }] });
    const d = f.doctors[0].doctor;
    const linksBefore = (await env.DB.prepare("SELECT COUNT(*) AS n FROM patient_links").first<{ n: number }>())!.n;
    const res = await authed(f.tokens.receptionist).post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: "2027-03-10T14:00:00.000Z", end: "2027-03-10T14:30:00.000Z" });
    const a = (await res.json<any>()).appointment;
    await hubIdle(d.id);
    const invite = mails.find((m) => m.to === "l@mail.example")!;
    const token = /\/r\/([A-Za-z0-9_-]{34})\b/.exec(decoded(invite.raw))![1];
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM patient_links").first<{ n: number }>())!.n).toBe(linksBefore);
    const open = (t: string) => worker.fetch(new Request(`http://localhost/r/${t}`, { headers: { "cf-connecting-ip": "192.0.2.44" } }));
    const page = await open(token);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Linkside");
    // "Choose another time" opens from it too.
    expect((await open(`${token}?choose=1`)).status).toBe(200);
    // One changed character, or the same row signed with another secret: the plain 'not valid' page.
    const flip = (t: string, i: number) => t.slice(0, i) + (t[i] === "A" ? "B" : "A") + t.slice(i + 1);
    const other = await inviteLinkUrl("another secret", env.APP_URL, (await env.DB.prepare("SELECT id FROM email_outbox WHERE appointment_id = ?").bind(a.id).first<{ id: number }>())!.id);
    for (const bad of [flip(token, 2), flip(token, 20), other.split("/r/")[1]]) expect((await open(bad)).status).toBe(404);
    // It lasts as long as the appointment (as it is now): once that has ended, not valid.
    await env.DB.prepare("UPDATE appointments SET start_ms = ?, end_ms = ? WHERE id = ?").bind(Date.now() - 7_200_000, Date.now() - 3_600_000, a.id).run();
    expect((await open(token)).status).toBe(404);
  });
});
