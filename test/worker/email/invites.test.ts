// End to end: book, reschedule, cancel through the API; the doctor's hub sends
// three invite e-mails through the real send_email binding (miniflare parses
// and validates each message); a recorder around it lets us read them back.
import { env } from "cloudflare:workers";
import ICAL from "ical.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bindingSender, setEmailSenderOverride, type OutgoingEmail } from "../../../worker/email/sender";
import { BACKOFF_MS, drainInvites, inviteEmailWork, MAX_ATTEMPTS } from "../../../worker/email/outbox";
import { createAppointment, type Caller } from "../../../worker/appointments/write";
import type { HubContext } from "../../../worker/hub/work";
import { decodeHeaderValue } from "../../../worker/email/header-words";
import { COALESCE_MS } from "../../../worker/email/coalesce";
import { authed, countRows, makeClinic } from "../../helpers";

let sent: OutgoingEmail[] = [];
let failNext = 0;

beforeEach(() => {
  sent = [];
  failNext = 0;
  setEmailSenderOverride((e) => {
    const real = bindingSender(e.EMAIL!);
    return {
      async send(m) {
        if (failNext > 0) {
          failNext--;
          throw new Error("relay refused: 451 try later");
        }
        await real.send(m); // throws if miniflare cannot parse the MIME message
        sent.push(m);
      },
    };
  });
});
afterEach(() => setEmailSenderOverride(null));

const hubIdle = (doctorId: string) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId)).idle();

/** Splits a raw MIME message into its leaf parts (headers + decoded body). */
function mimeParts(raw: string): { headers: string; body: string }[] {
  const out: { headers: string; body: string }[] = [];
  const walk = (text: string) => {
    const [head, ...rest] = text.split("\r\n\r\n");
    const body = rest.join("\r\n\r\n");
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head)?.[1];
    if (/content-type:\s*multipart\//i.test(head) && boundary) {
      for (const chunk of body.split(`--${boundary}`).slice(1)) {
        if (chunk.startsWith("--")) break;
        walk(chunk.replace(/^\r\n/, ""));
      }
      return;
    }
    const decoded = /content-transfer-encoding:\s*base64/i.test(head)
      ? new TextDecoder().decode(Uint8Array.from(atob(body.replace(/\s+/g, "")), (ch) => ch.charCodeAt(0)))
      : body;
    out.push({ headers: head, body: decoded });
  };
  walk(raw);
  return out;
}

function inviteOf(m: OutgoingEmail) {
  const parts = mimeParts(m.raw);
  const cal = parts.find((p) => /content-type:\s*text\/calendar/i.test(p.headers))!;
  const text = parts.find((p) => /content-type:\s*text\/plain/i.test(p.headers))!;
  const html = parts.find((p) => /content-type:\s*text\/html/i.test(p.headers))!;
  const comp = new ICAL.Component(ICAL.parse(cal.body));
  const ev = comp.getFirstSubcomponent("vevent")!;
  return { parts, calHeaders: cal.headers, ics: cal.body, comp, ev, text: text.body, html: html.body };
}

// Monday 1 March 2027, 10:00 in London (UTC+0 then): inside the default working hours.
const START = "2027-03-01T10:00:00.000Z";

describe("invite e-mails", () => {
  it("book → reschedule → cancel sends REQUEST, REQUEST, CANCEL with the same UID and SEQUENCE 0, 1, 2", async () => {
    const f = await makeClinic({ name: "Riverside Clinic", address: "5 Bridge Road, London", patients: [{ name: "Søren Kierkegaard", email: "soren@mail.example" }] });
    const d = f.doctors[0].doctor;
    const p = f.patients[0];
    const api = authed(f.tokens.receptionist);

    const booked = await api.post("/api/appointments", { doctorId: d.id, patientId: p.id, start: START, end: "2027-03-01T10:30:00.000Z", type: "check_up", notes: "NOTE-SECRET" });
    expect(booked.status).toBe(201);
    const a1 = (await booked.json<any>()).appointment;
    await hubIdle(d.id);
    expect(sent).toHaveLength(1);

    const moved = await api.patch(`/api/appointments/${a1.id}`, { version: a1.version, start: "2027-03-02T14:00:00.000Z", end: "2027-03-02T14:30:00.000Z" });
    expect(moved.status).toBe(200);
    const a2 = (await moved.json<any>()).appointment;
    await hubIdle(d.id);

    const cancelled = await api.post(`/api/appointments/${a1.id}/cancel`, { version: a2.version });
    expect(cancelled.status).toBe(200);
    await hubIdle(d.id);

    expect(sent).toHaveLength(3);
    const invites = sent.map(inviteOf);
    expect(sent.map((m) => m.to)).toEqual(["soren@mail.example", "soren@mail.example", "soren@mail.example"]);
    expect(invites.map((i) => i.comp.getFirstPropertyValue("method"))).toEqual(["REQUEST", "REQUEST", "CANCEL"]);
    expect(invites.map((i) => i.ev.getFirstPropertyValue("uid"))).toEqual(Array(3).fill(`${a1.id}@acms.example`));
    expect(invites.map((i) => i.ev.getFirstPropertyValue("sequence"))).toEqual([0, 1, 2]);
    expect(invites.map((i) => i.ev.getFirstPropertyValue("status"))).toEqual(["TENTATIVE", "TENTATIVE", "CANCELLED"]);
    expect(invites.map((i) => /method=(\w+)/.exec(i.calHeaders)?.[1])).toEqual(["REQUEST", "REQUEST", "CANCEL"]);
    expect((invites[1].ev.getFirstPropertyValue("dtstart") as ICAL.Time).toString()).toBe("2027-03-02T14:00:00");

    // Bodies: clinic, doctor, time in the clinic's zone, address, how to reschedule; never notes.
    expect(invites[0].text).toContain("Riverside Clinic");
    expect(invites[0].text).toContain(d.name);
    expect(invites[0].text).toContain("Monday, 1 March 2027 at 10:00 (Europe/London)");
    expect(invites[0].text).toContain("5 Bridge Road, London");
    expect(invites[0].text).toContain("Need another time? please contact Riverside Clinic.");
    expect(invites[0].html).toContain("Søren Kierkegaard");
    expect(invites[2].text).toContain("has been cancelled");
    for (const m of sent) expect(m.raw).not.toContain("NOTE-SECRET");
    for (const i of invites) expect(i.ics).not.toContain("NOTE-SECRET");
    for (const m of sent) for (const line of m.raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);

    const status = await (await api.get(`/api/appointments/${a1.id}/invites`)).json<any>();
    expect(status.invites.map((i: any) => [i.method, i.sequence, i.state])).toEqual([
      ["REQUEST", 0, "sent"],
      ["REQUEST", 1, "sent"],
      ["CANCEL", 2, "sent"],
    ]);
  });

  it("a replaced patient's CANCEL names that patient, never the one booked instead (no name crosses between patients)", async () => {
    const f = await makeClinic({ patients: [{ name: "Agnes Old", email: "agnes@mail.example" }, { name: "Bertram New", email: "bertram@mail.example" }] });
    const d = f.doctors[0].doctor;
    const [a, b] = f.patients;
    const api = authed(f.tokens.receptionist);
    const booked = (await (await api.post("/api/appointments", { doctorId: d.id, patientId: a.id, start: START, end: "2027-03-01T10:30:00.000Z" })).json<any>()).appointment;
    await hubIdle(d.id);
    const swapped = await api.patch(`/api/appointments/${booked.id}`, { version: booked.version, patientId: b.id });
    expect(swapped.status).toBe(200);
    await hubIdle(d.id);

    expect(sent.map((m) => m.to)).toEqual(["agnes@mail.example", "agnes@mail.example", "bertram@mail.example"]);
    const [, cancel, request] = sent.map(inviteOf);
    expect(cancel.comp.getFirstPropertyValue("method")).toBe("CANCEL");
    // The old patient's message and calendar entry: their own name, nothing of the new patient's.
    for (const part of [sent[1].raw, cancel.ics, cancel.text, cancel.html]) expect(part).not.toMatch(/Bertram/);
    expect(cancel.text).toContain("Agnes Old");
    expect(cancel.ev.getFirstPropertyValue("summary")).toContain("Agnes Old");
    expect(cancel.ev.getFirstProperty("attendee")!.getParameter("cn")).toBe("Agnes Old");
    // The new patient's invite is theirs.
    expect(request.comp.getFirstPropertyValue("method")).toBe("REQUEST");
    expect(request.text).toContain("Bertram New");
    expect(sent[2].raw).not.toMatch(/Agnes/);

    // A row queued before migration 0024 does not name its patient: a CANCEL to an address that
    // is not the appointment's patient's is not rendered with that patient's name either.
    await env.DB.prepare(
      "INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, created_at) VALUES (?, ?, 'CANCEL', 1, 'agnes@mail.example', 'pending', 0, 0, ?)",
    )
      .bind(f.clinic.id, booked.id, Date.now())
      .run();
    await drainInvites(env, d.id);
    expect(sent).toHaveLength(4);
    expect(sent[3].to).toBe("agnes@mail.example");
    expect(sent[3].raw).not.toMatch(/Bertram/);
  });

  it("a replaced patient's held or retrying REQUEST is superseded in the swap's batch: nothing of the new patient's visit reaches them after their CANCEL", async () => {
    const f = await makeClinic({ patients: [{ name: "Agnes Old", email: "agnes@mail.example" }, { name: "Bertram New", email: "bertram@mail.example" }] });
    const d = f.doctors[0].doctor;
    const [a, b] = f.patients;
    const api = authed(f.tokens.receptionist);
    const booked = (await (await api.post("/api/appointments", { doctorId: d.id, patientId: a.id, start: START, end: "2027-03-01T10:30:00.000Z", type: "video" })).json<any>()).appointment;
    await hubIdle(d.id);
    // Agnes's update held after a move in the doctor's own calendar (./coalesce.ts), and one waiting for a retry.
    const insert = (attempts: number, at: number) =>
      env.DB.prepare(
        "INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, created_at, patient_id) VALUES (?, ?, 'REQUEST', 0, 'agnes@mail.example', 'pending', ?, ?, ?, ?)",
      )
        .bind(f.clinic.id, booked.id, attempts, at, Date.now(), a.id)
        .run();
    await insert(0, Date.now() + COALESCE_MS);
    await insert(1, Date.now() + BACKOFF_MS[0]);
    expect((await api.patch(`/api/appointments/${booked.id}`, { version: booked.version, patientId: b.id })).status).toBe(200);
    await hubIdle(d.id);
    await drainInvites(env, d.id, Date.now() + 7 * 3600_000); // the held and retry times have passed

    expect(sent.map((m) => [m.to, inviteOf(m).comp.getFirstPropertyValue("method")])).toEqual([
      ["agnes@mail.example", "REQUEST"],
      ["agnes@mail.example", "CANCEL"],
      ["bertram@mail.example", "REQUEST"],
    ]);
    const rows = await env.DB.prepare("SELECT method, to_address, state, last_error FROM email_outbox WHERE appointment_id = ? ORDER BY id").bind(booked.id).all<any>();
    expect(rows.results.filter((r) => r.state === "superseded")).toEqual([
      { method: "REQUEST", to_address: "agnes@mail.example", state: "superseded", last_error: "the patient was replaced" },
      { method: "REQUEST", to_address: "agnes@mail.example", state: "superseded", last_error: "the patient was replaced" },
    ]);
  });

  it("at send time, a REQUEST to a patient who is no longer the appointment's is not sent but superseded (rows with and without a patient id)", async () => {
    const f = await makeClinic({ patients: [{ name: "Agnes Old", email: "agnes@mail.example" }, { name: "Bertram New", email: "bertram@mail.example" }] });
    const d = f.doctors[0].doctor;
    const [a, b] = f.patients;
    const api = authed(f.tokens.receptionist);
    const booked = (await (await api.post("/api/appointments", { doctorId: d.id, patientId: a.id, start: START, end: "2027-03-01T10:30:00.000Z" })).json<any>()).appointment;
    expect((await api.patch(`/api/appointments/${booked.id}`, { version: booked.version, patientId: b.id })).status).toBe(200);
    await hubIdle(d.id);
    sent = [];
    // Rows the swap's batch did not see (one being sent during the swap, queued before migration 0024…).
    const insert = (to: string, patientId: string | null) =>
      env.DB.prepare(
        "INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, created_at, patient_id) VALUES (?, ?, 'REQUEST', 1, ?, 'pending', 0, 0, ?, ?)",
      )
        .bind(f.clinic.id, booked.id, to, Date.now(), patientId)
        .run();
    await insert("agnes@mail.example", a.id);
    await insert("agnes@mail.example", null);
    await insert("bertram@mail.example", null); // the appointment's patient's address: sent
    await drainInvites(env, d.id);
    expect(sent.map((m) => m.to)).toEqual(["bertram@mail.example"]);
    const rows = await env.DB.prepare("SELECT to_address, state, last_error FROM email_outbox WHERE appointment_id = ? ORDER BY id DESC LIMIT 3").bind(booked.id).all<any>();
    expect(rows.results).toEqual([
      { to_address: "bertram@mail.example", state: "sent", last_error: null },
      { to_address: "agnes@mail.example", state: "superseded", last_error: "the patient was replaced" },
      { to_address: "agnes@mail.example", state: "superseded", last_error: "the patient was replaced" },
    ]);
  });

  it("a replaced patient's CANCEL names no type of the new visit, and no CANCEL carries the video link", async () => {
    const f = await makeClinic({ patients: [{ name: "Agnes Old", email: "agnes@mail.example" }, { name: "Bertram New", email: "bertram@mail.example" }] });
    const d = f.doctors[0].doctor;
    const [a, b] = f.patients;
    const api = authed(f.tokens.receptionist);
    const booked = (await (await api.post("/api/appointments", { doctorId: d.id, patientId: a.id, start: START, end: "2027-03-01T10:30:00.000Z", type: "video" })).json<any>()).appointment;
    await hubIdle(d.id);
    const swapped = await api.patch(`/api/appointments/${booked.id}`, { version: booked.version, patientId: b.id, type: "psychotherapy_session" });
    expect(swapped.status).toBe(200);
    await hubIdle(d.id);
    const url = (await (await api.get(`/api/appointments/${booked.id}/engagement`)).json<any>()).video.joinUrl;
    expect(url).toMatch(/^https:\/\/meet\.jit\.si\//);

    const [, cancel, request] = sent.map(inviteOf);
    expect(cancel.comp.getFirstPropertyValue("method")).toBe("CANCEL");
    for (const part of [cancel.ics, cancel.text, cancel.html]) {
      expect(part).not.toMatch(/psychotherapy/i);
      expect(part).not.toContain("meet.jit.si");
    }
    expect(cancel.ev.getFirstPropertyValue("summary")).toBe(`Appointment with ${d.name} - Agnes Old`);
    expect(cancel.text).toContain("your appointment with"); // {{type}} is empty: one space, not "appointment appointment"
    // The new patient's invite has their type and room.
    expect(request.ev.getFirstPropertyValue("summary")).toMatch(/^Psychotherapy session/);
    expect(request.ev.getFirstPropertyValue("location")).toBe(url);

    // The current patient's CANCEL keeps the type, still without the link.
    expect((await api.post(`/api/appointments/${booked.id}/cancel`, { version: (await swapped.json<any>()).appointment.version })).status).toBe(200);
    await hubIdle(d.id);
    const last = inviteOf(sent[3]);
    expect(sent[3].to).toBe("bertram@mail.example");
    expect(last.ev.getFirstPropertyValue("summary")).toMatch(/^Psychotherapy session/);
    for (const part of [last.ics, last.text, last.html]) expect(part).not.toContain("meet.jit.si");
  });

  it("a replaced patient's CANCEL describes the visit they had, when the same edit also moved it to another time and doctor", async () => {
    const f = await makeClinic({ doctors: 2, patients: [{ name: "Agnes Old", email: "agnes@mail.example" }, { name: "Bertram New", email: "bertram@mail.example" }] });
    const [d1, d2] = f.doctors.map((d) => d.doctor);
    const [a, b] = f.patients;
    const api = authed(f.tokens.receptionist);
    const booked = (await (await api.post("/api/appointments", { doctorId: d1.id, patientId: a.id, start: START, end: "2027-03-01T10:30:00.000Z" })).json<any>()).appointment;
    await hubIdle(d1.id);
    const edited = await api.patch(`/api/appointments/${booked.id}`, { version: booked.version, patientId: b.id, doctorId: d2.id, start: "2027-03-01T15:00:00.000Z", end: "2027-03-01T15:30:00.000Z" });
    expect(edited.status).toBe(200);
    await hubIdle(d1.id);
    await hubIdle(d2.id);
    const toAgnes = sent.filter((m) => m.to === "agnes@mail.example").map(inviteOf);
    const cancel = toAgnes.find((i) => i.comp.getFirstPropertyValue("method") === "CANCEL")!;
    expect(cancel).toBeDefined();
    // Her visit: 10:00 with the first doctor, not the new patient's 15:00 with the second.
    expect((cancel.ev.getFirstPropertyValue("dtstart") as ICAL.Time).toString()).toBe("2027-03-01T10:00:00");
    expect(cancel.text).toContain("at 10:00");
    expect(cancel.text).toContain(d1.name);
    for (const part of [cancel.ics, cancel.text, cancel.html]) {
      expect(part).not.toContain("15:00");
      expect(part).not.toContain(d2.name);
    }
    const request = sent.filter((m) => m.to === "bertram@mail.example").map(inviteOf)[0];
    expect((request.ev.getFirstPropertyValue("dtstart") as ICAL.Time).toString()).toBe("2027-03-01T15:00:00");
  });

  it("sends nothing for notes-only changes or patients without an e-mail", async () => {
    const f = await makeClinic({ patients: [{ name: "No Mail", email: "" }, { name: "Has Mail", email: "has@mail.example" }] });
    const d = f.doctors[0].doctor;
    const api = authed(f.tokens.receptionist);
    const r1 = await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: START, end: "2027-03-01T10:30:00.000Z" });
    expect(r1.status).toBe(201);
    const r2 = await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[1].id, start: "2027-03-01T11:00:00.000Z", end: "2027-03-01T11:30:00.000Z" });
    const a2 = (await r2.json<any>()).appointment;
    expect((await api.patch(`/api/appointments/${a2.id}`, { version: a2.version, notes: "just a note" })).status).toBe(200);
    await hubIdle(d.id);
    expect(sent.map((m) => m.to)).toEqual(["has@mail.example"]);
  });

  it("retries a failing send with backoff, then marks it failed, audits it and shows it on the appointment", async () => {
    const f = await makeClinic({ patients: [{ email: "retry@mail.example" }] });
    const d = f.doctors[0].doctor;
    const api = authed(f.tokens.receptionist);
    failNext = 1000;
    const a = (await (await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: START, end: "2027-03-01T10:30:00.000Z" })).json<any>()).appointment;
    await hubIdle(d.id);
    let row = await env.DB.prepare("SELECT state, attempts, next_attempt_at, last_error FROM email_outbox WHERE appointment_id = ?").bind(a.id).first<any>();
    expect(row.state).toBe("pending");
    expect(row.attempts).toBe(1);
    expect(row.last_error).toContain("451");
    expect(row.next_attempt_at).toBeGreaterThan(Date.now() + BACKOFF_MS[0] - 5_000);

    // Play the later retries (what the hub's alarm does), pretending time has passed.
    for (let i = 1; i < MAX_ATTEMPTS; i++) await drainInvites(env, d.id, Date.now() + 7 * 3600_000 * i);
    row = await env.DB.prepare("SELECT state, attempts FROM email_outbox WHERE appointment_id = ?").bind(a.id).first<any>();
    expect(row).toEqual({ state: "failed", attempts: MAX_ATTEMPTS });
    expect(await countRows("audit_log", "entity_id = ? AND action = 'email.failed'", a.id)).toBe(1);
    const shown = await (await api.get(`/api/appointments/${a.id}/invites`)).json<any>();
    expect(shown.invites[0]).toMatchObject({ method: "REQUEST", state: "failed", attempts: MAX_ATTEMPTS, lastError: "relay refused: 451 try later" });
    expect(sent).toHaveLength(0);
  });
});

describe("the invite lease", () => {
  const queued = async () => {
    const f = await makeClinic({ patients: [{ email: "lease@mail.example" }] });
    const d = f.doctors[0].doctor;
    const admin: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
    const start = Date.parse("2027-03-01T10:00:00.000Z");
    // Through the write path but not the hub: the invite waits in the outbox, due now.
    const r = await createAppointment(env, admin, { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[0].id, startMs: start, endMs: start + 1_800_000 }, { origin: "acms" });
    expect(r.ok).toBe(true);
    return { d };
  };

  it("two runs at once send it once", async () => {
    const { d } = await queued();
    const now = Date.now();
    await Promise.all([drainInvites(env, d.id, now), drainInvites(env, d.id, now), drainInvites(env, d.id, now)]);
    expect(sent.map((m) => m.to)).toEqual(["lease@mail.example"]);
  });

  it("a run that leased it and never finished (evicted mid-send) holds it for the lease, then it goes once", async () => {
    const { d } = await queued();
    const t = Date.now();
    // The run's first round trip only: the lease is taken, nothing is sent or recorded.
    const ctx = { env, doctorId: d.id } as unknown as HubContext;
    await env.DB.batch(inviteEmailWork.reads!(ctx, t));
    // Another run a minute later leaves it alone, and says when to look again: when the lease ends.
    const next = await drainInvites(env, d.id, t + 60_000);
    expect(sent).toHaveLength(0);
    expect(next).toBeGreaterThan(t + 60_000);
    expect(next).toBeLessThanOrEqual(t + 10 * 60_000);
    await drainInvites(env, d.id, next!);
    expect(sent.map((m) => m.to)).toEqual(["lease@mail.example"]);
    await drainInvites(env, d.id, next! + 3600_000);
    expect(sent).toHaveLength(1);
  });
});

describe("email templates", () => {
  it("admins edit per-clinic templates; unknown placeholders are refused; the next invite uses them", async () => {
    const f = await makeClinic({ patients: [{ name: "Tpl Patient", email: "tpl@mail.example" }] });
    const admin = authed(f.tokens.admin);
    expect((await authed(f.tokens.receptionist).put("/api/clinic/email-templates", { reschedule: "x" })).status).toBe(403);
    const bad = await admin.put("/api/clinic/email-templates", { request: { subject: "Hi {{nmae}}" } });
    expect(bad.status).toBe(422);
    expect((await bad.json<any>()).error.details[0]).toMatchObject({ path: "request.subject" });
    const ok = await admin.put("/api/clinic/email-templates", { request: { subject: "See you {{date}} <{{patient}}>" }, reschedule: "call 030 1234 or reply to {{clinic}}." });
    expect(ok.status).toBe(200);
    const got = await (await admin.get("/api/clinic/email-templates")).json<any>();
    expect(got.templates.request.subject).toBe("See you {{date}} <{{patient}}>");
    expect(got.templates.cancel.subject).toBe(got.defaults.cancel.subject);
    expect(got.variables).toContain("reschedule");

    const d = f.doctors[0].doctor;
    expect((await admin.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: START, end: "2027-03-01T10:30:00.000Z" })).status).toBe(201);
    await hubIdle(d.id);
    expect(sent).toHaveLength(1);
    // The subject is folded into RFC 2047 words (lines ≤ 78): unfold and decode it as a mail reader does.
    const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(sent[0].raw)![1];
    expect(decodeHeaderValue(subject)).toBe("See you Monday, 1 March 2027 <Tpl Patient>");
    const inv = inviteOf(sent[0]);
    expect(inv.text).toContain(`call 030 1234 or reply to ${f.clinic.name}.`);
  });
});

describe("the send_email binding under test", () => {
  it("is the real miniflare binding: it refuses a message whose From header does not match", async () => {
    const raw = "From: other@acms.example\r\nTo: x@mail.example\r\nSubject: x\r\nMessage-ID: <1@acms.example>\r\n\r\nhello";
    await expect(bindingSender(env.EMAIL!).send({ from: "calendar@acms.example", to: "x@mail.example", raw })).rejects.toThrow(/From/);
  });
});
