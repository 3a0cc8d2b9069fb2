// Reminder and invite outcomes for the KPIs, counted by triggers on the message tables
// whatever code records them: a reminder's pending → sent → delivered counts once as
// delivered; a failure once as failed; a pending one and a rescheduled (deleted) pending one not at all.
import { describe, expect, it } from "vitest";
import { newId } from "../../../worker/ids";
import { authed, env, json, makeClinic, worker } from "../../helpers";

describe("message outcomes", () => {
  it("follow the reminders' and invites' states", async () => {
    const f = await makeClinic();
    const due = Date.parse("2026-11-10T09:00:00Z");
    const reminder = async (channel: string, kind = "reminder") => {
      const id = newId();
      await env.DB.prepare(
        "INSERT INTO reminders (id, clinic_id, appointment_id, doctor_id, channel, offset_minutes, start_ms, due_at, state, created_at, kind) VALUES (?, ?, ?, ?, ?, 60, ?, ?, 'pending', ?, ?)",
      )
        .bind(id, f.clinic.id, newId(), f.doctors[0].doctor.id, channel, due + 3_600_000, due, due, kind)
        .run();
      return (state: string) => env.DB.prepare("UPDATE reminders SET state = ? WHERE id = ?").bind(state, id).run();
    };
    const a = await reminder("sms");
    await a("sending");
    await a("sent");
    await a("delivered");
    const b = await reminder("sms");
    await b("sending");
    await b("failed");
    const c = await reminder("email");
    await c("sending");
    await c("unknown");
    await reminder("email"); // stays pending
    // The NPS follow-up after a visit (same table) is counted apart from the reminders.
    const nps = await reminder("sms", "nps");
    await nps("sending");
    await nps("sent");
    const gone = await reminder("email");
    await gone("sent");
    await env.DB.prepare("DELETE FROM reminders WHERE clinic_id = ? AND state = 'sent' AND channel = 'email'").bind(f.clinic.id).run();
    const inv = await env.DB.prepare(
      "INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, created_at) VALUES (?, ?, 'REQUEST', 0, 'p@mail.example', ?) RETURNING id",
    )
      .bind(f.clinic.id, newId(), due)
      .first<{ id: number }>();
    await env.DB.prepare("UPDATE email_outbox SET state = 'sent' WHERE id = ?").bind(inv!.id).run();

    const res = await authed(f.tokens.admin).get("/api/analytics/kpis?from=2026-11&to=2026-11");
    const k = await json<any>(res);
    const by = Object.fromEntries(k.messages.map((m: any) => [m.kind, [m.sent, m.delivered, m.failed]]));
    expect(by).toEqual({ reminder_sms: [1, 1, 1], reminder_email: [1, 0, 0], invite_request: [1, 0, 0], invite_cancel: [0, 0, 0], nps_email: [0, 0, 0], nps_sms: [1, 0, 0] });
    expect((await json<any>(await authed(f.tokens.admin).get("/api/analytics/kpis?from=2026-10&to=2026-10"))).messages.every((m: any) => m.sent === 0)).toBe(true);
  });
});

describe("feeds polled", () => {
  it("a fetched feed counts for the week, at most one write an hour", async () => {
    const f = await makeClinic({ doctors: 2 });
    const d = f.doctors[0];
    const res = await authed(d.token).post(`/api/doctors/${d.doctor.id}/feed`, {});
    const url = new URL((await json<any>(res)).feed.url);
    const kpi = async () => (await json<any>(await authed(f.tokens.admin).get("/api/analytics/kpis"))).feeds;
    expect(await kpi()).toEqual({ enabled: 1, polledLastWeek: 0 });
    const feed = await worker.fetch(`http://localhost${url.pathname}`);
    expect(feed.status).toBe(200);
    await feed.text();
    await expect.poll(kpi).toEqual({ enabled: 1, polledLastWeek: 1 });
    const first = await env.DB.prepare("SELECT feed_polled_at FROM doctors WHERE id = ?").bind(d.doctor.id).first<number>("feed_polled_at");
    await (await worker.fetch(`http://localhost${url.pathname}`)).text();
    await new Promise((r) => setTimeout(r, 50));
    expect(await env.DB.prepare("SELECT feed_polled_at FROM doctors WHERE id = ?").bind(d.doctor.id).first<number>("feed_polled_at")).toBe(first);
    // A wrong token records nothing.
    expect((await worker.fetch("http://localhost/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics")).status).toBe(404);
  });
});
