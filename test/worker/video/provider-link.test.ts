// A meeting link a provider returns becomes the visit's link only if the visit's link is still the
// one read before the provider was called: a change of patient in between gave the visit a new room,
// and the returned meeting is then the old patient's (worker/video/provider-link.ts).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authed, makeClinic } from "../../helpers";
import { providerVideoLinkStatements } from "../../../worker/video/provider-link";

const START = "2027-03-12T14:00:00.000Z";
const END = "2027-03-12T14:30:00.000Z";
const videoOf = (id: string) => env.DB.prepare("SELECT provider, url FROM appointment_video WHERE appointment_id = ?").bind(id).first<{ provider: string; url: string }>();
const requests = async (id: string) => (await env.DB.prepare("SELECT count(*) AS n FROM email_outbox WHERE appointment_id = ? AND method = 'REQUEST'").bind(id).first<number>("n")) ?? 0;

describe("a provider's meeting link", () => {
  it("is stored (and the invite sent again) only when the visit's link is still the one read before the call", async () => {
    const f = await makeClinic({ patients: [{ email: "p@mail.example" }] });
    const res = await authed(f.tokens.receptionist).post("/api/appointments", { doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, start: START, end: END, type: "video" });
    expect(res.status).toBe(201);
    const a = (await res.json<any>()).appointment;
    const room = (await videoOf(a.id))!.url;
    const before = await requests(a.id);
    const ids = { appointmentId: a.id, clinicId: f.clinic.id };
    // Read before the call: another link (a change of patient replaced it meanwhile) → nothing.
    await env.DB.batch(providerVideoLinkStatements(env.DB, ids, "teams", "https://teams.microsoft.test/l/meetup-join/old", "https://meet.jit.si/acms-previous"));
    expect(await videoOf(a.id)).toEqual({ provider: "jitsi", url: room });
    expect(await requests(a.id)).toBe(before);
    // Read before the call: the link it still has → the meeting becomes the visit's link, invite again.
    await env.DB.batch(providerVideoLinkStatements(env.DB, ids, "teams", "https://teams.microsoft.test/l/meetup-join/new", room));
    expect(await videoOf(a.id)).toEqual({ provider: "teams", url: "https://teams.microsoft.test/l/meetup-join/new" });
    expect(await requests(a.id)).toBe(before + 1);
    // No link then, none now: stored.
    await env.DB.prepare("DELETE FROM appointment_video WHERE appointment_id = ?").bind(a.id).run();
    await env.DB.batch(providerVideoLinkStatements(env.DB, ids, "teams", "https://teams.microsoft.test/l/meetup-join/again", null));
    expect((await videoOf(a.id))!.url).toBe("https://teams.microsoft.test/l/meetup-join/again");
  });
});
