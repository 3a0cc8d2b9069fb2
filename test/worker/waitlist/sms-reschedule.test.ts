// SMS reply "R": the patient gets a fresh link straight to "Choose another time" (HELP lists R);
// where the clinic does not allow it, the reason and the phone instead of a link.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyReply } from "../../../worker/sms/replies";
import { TwilioEmulator } from "../../fakes/twilio/emulator";
import { installTwilioEmulator } from "../../fakes/twilio/router";
import { authed, makeClinic, worker } from "../../helpers";

const twilio = new TwilioEmulator("AC00000000000000000000000000000001", "twilio-test-auth-token", "+15005550006", "https://acms.test/api/webhooks/twilio/sms");
let uninstall: () => void;
beforeAll(() => (uninstall = installTwilioEmulator(twilio)));
afterAll(() => uninstall());

let nextPhone = 900500;
async function setup() {
  const local = `07700 ${nextPhone++}`;
  const f = await makeClinic({ name: "Riverside Clinic", patients: [{ name: "Ada Lovelace", email: "ada@mail.example", phone: local }] });
  await authed(f.tokens.admin).put("/api/clinic/reminders", { phone: "020 7946 0000" });
  // Replies act only for patients who agreed to texts.
  expect((await authed(f.tokens.receptionist).put(`/api/patients/${f.patients[0].id}/sms-consent`, { consent: true })).status).toBe(200);
  const start = Date.now() + 3 * 86_400_000;
  const res = await authed(f.tokens.admin).post("/api/appointments", {
    doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, allowOutsideHours: true,
    start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString(),
  });
  expect(res.status).toBe(201);
  return { f, e164: `+447700${local.slice(6)}` };
}

describe("SMS reply R", () => {
  it.each([
    ["R", "reschedule"], [" r. ", "reschedule"], ["RR", "other"], ["X", "cancel"], ["HELP", "help"],
  ])("classifies %j as %s", (body, intent) => expect(classifyReply(body)).toBe(intent));

  it("answers with a working link to the list of other times; HELP mentions R", async () => {
    const s = await setup();
    const help = await (await twilio.inbound(s.e164, "HELP")).text();
    expect(help).toContain("R to choose another time");
    const reply = await (await twilio.inbound(s.e164, "R")).text();
    const url = reply.match(/http:\/\/localhost:8787(\/r\/[A-Za-z0-9_-]{32}\?choose=1)/);
    expect(url).not.toBeNull();
    expect(reply).not.toContain("Ada");
    const page = await worker.fetch(new Request(`http://localhost${url![1]}`, { headers: { "cf-connecting-ip": "198.51.100.250" } }));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Choose another time");
  });

  it("when the clinic does not allow moving online, says so with the phone and sends no link", async () => {
    const s = await setup();
    await env.DB.prepare("UPDATE clinics SET self_reschedule = 0 WHERE id = ?").bind(s.f.clinic.id).run();
    const reply = await (await twilio.inbound(s.e164, "r")).text();
    expect(reply).toContain("cannot be moved online");
    expect(reply).toContain("020 7946 0000");
    expect(reply).not.toContain("/r/");
  });
});
