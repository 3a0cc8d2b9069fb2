// The patient's one-tap page /r/<token>: what it shows, confirm and cancel through the normal
// write path, the clinic's cut-off, and one plain answer for every bad token.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issuePatientLink, reminderLinkUrl } from "../../../worker/patient-links/links";
import { PAGE_LIMIT } from "../../../worker/routes/patient-page";
import { authed, countRows, makeClinic, worker } from "../../helpers";

const hubIdle = (doctorId: string) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId)).idle();
let ipSeq = 1;
/** Each test its own client IP, so the per-IP rate limit of one test does not leak into another. */
const page = (token: string, init: RequestInit = {}, ip = `198.51.100.${ipSeq}`) =>
  worker.fetch(new Request(`http://localhost/r/${token}`, { ...init, headers: { "cf-connecting-ip": ip, ...(init.headers ?? {}) } }));
const post = (token: string, action: string, ip?: string) =>
  page(token, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `action=${action}` }, ip);

async function bookWithLink(start = "2027-03-10T14:00:00.000Z", end = "2027-03-10T14:30:00.000Z", extra: Record<string, unknown> = {}) {
  ipSeq++;
  const f = await makeClinic({ name: "Riverside Clinic", address: "5 Bridge Road", patients: [{ name: "Grace Hopper", email: "grace@mail.example" }] });
  await authed(f.tokens.admin).put("/api/clinic/reminders", { phone: "020 7946 0000", cancelCutoffMinutes: 120 });
  const api = authed(f.tokens.receptionist);
  const d = f.doctors[0].doctor;
  // Only an admin may book outside working hours (a slot "90 minutes from now" may be at night).
  const res = await (extra.allowOutsideHours ? authed(f.tokens.admin) : api).post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start, end, notes: "NOTE-SECRET", ...extra });
  expect(res.status).toBe(201);
  const a = (await res.json<any>()).appointment;
  await hubIdle(d.id);
  const link = await issuePatientLink(env.DB, env.APP_URL, { clinicId: f.clinic.id, appointmentId: a.id, endMs: Date.parse(a.end) });
  await link.statement.run();
  return { f, a, d, api, token: link.token };
}

describe("patient link page", () => {
  it("shows clinic, doctor, time and address, nothing else about the patient; Confirm confirms through the write path", async () => {
    const { a, d, token, f } = await bookWithLink();
    const res = await page(token);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await res.text();
    expect(html).toContain("Riverside Clinic");
    expect(html).toContain(d.name);
    expect(html).toContain("Wednesday, 10 March 2027 at 14:00");
    expect(html).toContain("5 Bridge Road");
    expect(html).toContain('name="viewport"');
    for (const s of ["Grace", "Hopper", "grace@mail.example", "NOTE-SECRET"]) expect(html).not.toContain(s);
    expect(html).toContain('value="confirm"');
    expect(html).toContain('value="cancel"');

    const done = await post(token, "confirm");
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("your appointment is confirmed");
    const row = await env.DB.prepare("SELECT status, version FROM appointments WHERE id = ?").bind(a.id).first<any>();
    expect(row.status).toBe("confirmed");
    const audit = await env.DB.prepare("SELECT actor_label FROM audit_log WHERE entity_id = ? ORDER BY id DESC LIMIT 1").bind(a.id).first<any>();
    expect(audit.actor_label).toBe("patient via link");
    expect(await countRows("patient_responses", "appointment_id = ? AND action = 'confirm' AND via = 'link'", a.id)).toBe(1);
    expect(await countRows("notices", "entity_id = ? AND kind = 'patient_confirmed' AND user_id = ?", a.id, f.doctors[0].user.id)).toBe(1);
  });

  it("Cancel cancels like staff would (invite CANCEL queued, slot free, doctor told); inside the cut-off it is refused with the phone number", async () => {
    const { a, d, token, api } = await bookWithLink();
    const html = await (await post(token, "cancel")).text();
    expect(html).toContain("Your appointment is cancelled");
    expect((await env.DB.prepare("SELECT status FROM appointments WHERE id = ?").bind(a.id).first<any>()).status).toBe("cancelled");
    expect(await countRows("email_outbox", "appointment_id = ? AND method = 'CANCEL'", a.id)).toBe(1);
    expect(await countRows("notices", "entity_id = ? AND kind = 'patient_cancelled'", a.id)).toBe(1);
    // The slot is free again: staff can book it.
    const again = await api.post("/api/appointments", { doctorId: d.id, patientId: a.patientId, start: a.start, end: a.end });
    expect(again.status).toBe(201);
    // The page now shows it cancelled, with no buttons.
    const after = await (await page(token)).text();
    expect(after).toContain("Cancelled");
    expect(after).not.toContain('value="cancel"');

    // An appointment 90 minutes away (cut-off 120): no cancel button, and a forged POST is refused.
    const soon = new Date(Math.ceil((Date.now() + 90 * 60_000) / 60_000) * 60_000);
    const late = await bookWithLink(soon.toISOString(), new Date(soon.getTime() + 15 * 60_000).toISOString(), { allowOutsideHours: true });
    const lateHtml = await (await page(late.token)).text();
    expect(lateHtml).not.toContain('value="cancel"');
    expect(lateHtml).toContain("too late to cancel online");
    expect(lateHtml).toContain("020 7946 0000");
    const refused = await (await post(late.token, "cancel")).text();
    expect(refused).toContain("too late to cancel online");
    expect((await env.DB.prepare("SELECT status FROM appointments WHERE id = ?").bind(late.a.id).first<any>()).status).toBe("scheduled");
  });

  it("a guessed, malformed or expired token gets the same plain page and status (no oracle), and nothing is written", async () => {
    const { a, token } = await bookWithLink();
    await env.DB.prepare("UPDATE patient_links SET expires_at = ? WHERE appointment_id = ?").bind(Date.now() - 1000, a.id).run();
    const bodies: string[] = [];
    for (const t of [token, "A".repeat(32), "short", "../../etc/passwd".replaceAll("/", "_")]) {
      const res = await page(t);
      expect(res.status).toBe(404);
      bodies.push(await res.text());
      const p = await post(t, "cancel");
      expect(p.status).toBe(404);
    }
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain("This link is not valid");
    expect((await env.DB.prepare("SELECT status FROM appointments WHERE id = ?").bind(a.id).first<any>()).status).toBe("scheduled");
  });

  it("is rate-limited per client IP", async () => {
    const ip = "203.0.113.77";
    let last = 0;
    for (let i = 0; i <= PAGE_LIMIT; i++) last = (await page("A".repeat(32), {}, ip)).status;
    expect(last).toBe(429);
    // Another client is not affected.
    expect((await page("A".repeat(32), {}, "203.0.113.78")).status).toBe(404);
  });

  it("counts an IPv6 client by its /64: rotating the interface bits does not buy more requests", async () => {
    let last = 0;
    for (let i = 0; i <= PAGE_LIMIT; i++) last = (await page("A".repeat(32), {}, `2001:db8:77:1:${(i + 1).toString(16)}::${i.toString(16)}`)).status;
    expect(last).toBe(429);
    expect((await page("A".repeat(32), {}, "2001:db8:77:2::1")).status).toBe(404);
  });

  it("a reminder's link is derived from the reminder (nothing stored); a tampered one gets the plain 'not valid' page", async () => {
    const { a, f } = await bookWithLink();
    const r = await env.DB.prepare("SELECT id FROM reminders WHERE appointment_id = ? LIMIT 1").bind(a.id).first<{ id: string }>();
    const before = await countRows("patient_links");
    const url = await reminderLinkUrl(env.SESSION_SECRET, env.APP_URL, r!.id);
    expect(await countRows("patient_links")).toBe(before);
    const token = url.split("/r/")[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ok = await page(token);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(f.clinic.name);
    const flip = (t: string, i: number) => t.slice(0, i) + (t[i] === "A" ? "B" : "A") + t.slice(i + 1);
    for (const bad of [flip(token, 3), flip(token, 30), flip(token, 42), await reminderLinkUrl("another secret", env.APP_URL, r!.id).then((u) => u.split("/r/")[1])]) {
      const res = await page(bad);
      expect(res.status).toBe(404);
    }
  });
});
