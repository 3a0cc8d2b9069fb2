// Outbound after a reconnect whose own-events listing found our event but no link exists
// (links lost): the guarded PATCH (If-Match: the listed etag) meets 412 because the event
// changed in between. The conflict policy decides and the event is written again with its
// current etag, addressed by the listed event's id; it used to throw a TypeError
// (`current!.external_id` with no link) and retry forever. Google emulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { authed } from "../../helpers";
import { at, book, connectDoctor, emu, env, settle } from "../google/harness";

let uninstall: () => void;
beforeAll(() => {
  uninstall = installGoogleEmulator(emu);
});
afterAll(() => uninstall());

describe("outbound: 412 on the PATCH of an event known only from the reconnect listing", () => {
  it("no link, listed etag refused → the policy runs and the event is written (no TypeError, outbox done)", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    const integ = (await env.DB.prepare("SELECT id FROM calendar_integrations WHERE doctor_id = ?").bind(c.doctorId).first<{ id: string }>())!;
    // A reconnect that lost the links: the engine lists our events once (own_listing_due).
    await env.DB.batch([
      env.DB.prepare("DELETE FROM appointment_links WHERE integration_id = ?").bind(integ.id),
      env.DB.prepare("UPDATE calendar_integrations SET own_listing_due = 1 WHERE id = ?").bind(integ.id),
    ]);
    // Between the listing and our PATCH the event changes in Google: the first If-Match PATCH gets 412.
    const routed = globalThis.fetch;
    let refused = 0;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input as RequestInfo, init);
      if (req.method === "PATCH" && new URL(req.url).host === "google.test" && req.headers.get("if-match") && refused === 0) {
        refused++;
        return new Response(JSON.stringify({ error: { code: 412, message: "Precondition Failed", errors: [{ reason: "conditionNotMet", message: "Precondition Failed" }] } }), {
          status: 412,
          headers: { "content-type": "application/json" },
        });
      }
      return routed(req);
    }) as typeof fetch;
    try {
      const res = await authed(c.f.tokens.receptionist).patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("10:00"), end: at("10:30") });
      expect(res.status).toBe(200);
      await settle(c.doctorId);
    } finally {
      globalThis.fetch = routed;
    }
    expect(refused).toBe(1);
    const ours = emu.events(c.email).filter((e) => e.status !== "cancelled");
    expect(ours).toHaveLength(1);
    expect(Date.parse(ours[0].start.dateTime)).toBe(Date.parse(at("10:00")));
    const link = await env.DB.prepare("SELECT state, external_id FROM appointment_links WHERE appointment_id = ?").bind(appt.id).first<any>();
    expect(link).toEqual({ state: "synced", external_id: ours[0].id });
    const open = await env.DB.prepare("SELECT COUNT(*) AS n FROM sync_outbox WHERE doctor_id = ? AND state != 'done'").bind(c.doctorId).first<{ n: number }>();
    expect(open!.n).toBe(0);
  });
});
