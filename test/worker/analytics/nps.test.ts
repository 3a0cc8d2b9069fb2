// NPS: the patient's page asks once per completed appointment (0–10 only, plain form, no
// script); staff are asked in the app at most once a quarter; admins read the score and comments.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issuePatientLink } from "../../../worker/patient-links/links";
import { updateAppointment, createAppointment, type Caller } from "../../../worker/appointments/write";
import { authed, countRows, json, makeClinic, worker } from "../../helpers";

let ip = 10;
const page = (token: string, body?: string) =>
  worker.fetch(
    new Request(`http://localhost/r/${token}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "cf-connecting-ip": `203.0.113.${ip}`, ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }) },
      body,
    }),
  );

async function visit(status: "completed" | "scheduled") {
  ip++;
  const f = await makeClinic({ name: "Harbour Clinic" });
  const admin: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
  const start = Date.now() + 3_600_000;
  const r = await createAppointment(env, admin, { clinicId: f.clinic.id, doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, startMs: start, endMs: start + 1_800_000, allowOutsideHours: true }, { origin: "acms" });
  if (!r.ok) throw new Error(r.error.code);
  if (status === "completed") await updateAppointment(env, admin, f.clinic.id, r.appointment.id, { version: 1, status: "completed" }, { origin: "acms" });
  const link = await issuePatientLink(env.DB, env.APP_URL, { clinicId: f.clinic.id, appointmentId: r.appointment.id, endMs: start + 1_800_000 });
  await link.statement.run();
  return { f, id: r.appointment.id, token: link.token };
}

describe("patient NPS on /r/<token>", () => {
  it("asks after a completed visit, once; 0–10 only; no script", async () => {
    const { f, id, token } = await visit("completed");
    const html = await (await page(token)).text();
    expect(html).toContain("How likely are you to recommend Harbour Clinic");
    for (let i = 0; i <= 10; i++) expect(html).toContain(`name="score" value="${i}"`);
    expect(html).not.toContain("<script");
    expect(html).toContain('name="viewport"');

    for (const bad of ["score=11", "score=-1", "score=5.5", "score=", "comment=hi", "score=7&comment=" + encodeURIComponent("a\u202Eb")]) {
      const res = await page(token, `action=nps&${bad}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/Please choose a number from 0 to 10|cannot accept/);
    }
    expect(await countRows("nps_responses", "appointment_id = ?", id)).toBe(0);

    const ok = await page(token, `action=nps&score=9&comment=${encodeURIComponent("Kind staff, short wait")}`);
    expect(await ok.text()).toContain("Thank you for your answer.");
    const again = await page(token, "action=nps&score=0");
    expect(await again.text()).toContain("has an answer already");
    expect(await env.DB.prepare("SELECT score, comment, source FROM nps_responses WHERE appointment_id = ?").bind(id).all().then((r) => r.results)).toEqual([
      { score: 9, comment: "Kind staff, short wait", source: "patient" },
    ]);
    const after = await (await page(token)).text();
    expect(after).not.toContain('name="score"');
    expect(after).toContain("Thank you for telling us");

    const month = new Date().toISOString().slice(0, 7);
    const nps = await json<any>(await authed(f.tokens.admin).get(`/api/analytics/nps?from=${month}&to=${month}`));
    expect(nps.patients).toMatchObject({ n: 1, promoters: 1, score: 100 });
    expect(nps.comments.map((c: any) => c.comment)).toEqual(["Kind staff, short wait"]);
    expect((await authed(f.tokens.doctor).get(`/api/analytics/nps`)).status).toBe(403);
  });

  it("does not ask before the visit is completed, and refuses an answer for it", async () => {
    const { id, token } = await visit("scheduled");
    expect(await (await page(token)).text()).not.toContain('name="score"');
    expect(await (await page(token, "action=nps&score=10")).text()).toContain("not finished yet");
    expect(await countRows("nps_responses", "appointment_id = ?", id)).toBe(0);
  });
});

describe("staff NPS in the app", () => {
  it("at most once a quarter, 0–10 only", async () => {
    const f = await makeClinic();
    const api = authed(f.tokens.receptionist);
    expect(await json<any>(await api.get("/api/nps/prompt"))).toMatchObject({ due: true, quarter: expect.stringMatching(/^\d{4}-Q[1-4]$/) });
    for (const body of [{ score: 11 }, { score: -1 }, { score: 4.5 }, {}, { score: 5, extra: 1 }, { score: "7" }])
      expect((await api.post("/api/nps", body)).status).toBe(422);
    expect((await api.post("/api/nps", { score: 6, comment: "More time between patients" })).status).toBe(201);
    expect((await api.post("/api/nps", { score: 10 })).status).toBe(409);
    expect((await json<any>(await api.get("/api/nps/prompt"))).due).toBe(false);
    expect(await json<any>(await authed(f.tokens.admin).get("/api/nps/prompt"))).toMatchObject({ due: true });
    const month = new Date().toISOString().slice(0, 7);
    const nps = await json<any>(await authed(f.tokens.admin).get(`/api/analytics/nps?from=${month}&to=${month}`));
    expect(nps.staff).toMatchObject({ n: 1, detractors: 1, score: -100 });
  });
});
