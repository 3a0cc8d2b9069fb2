// Standby offers end to end in workerd (issue #21 "offer high-risk slots to the waitlist early if
// unconfirmed by a cut-off — never double-book"): the no-show actions' cron writes a standby slot
// for a high-risk unconfirmed appointment at the clinic's cut-off, the doctor's hub offers its
// time to the waitlist (Twilio emulator) saying plainly that it is booked by someone else, and:
// the original patient confirms → withdrawn and told; cancels → the standing patient is booked
// through the write path (never a second booking, also when a receptionist books it first);
// the final point → released (if the clinic chose so) or lapsed. Low risk or confirmed: nothing.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runRiskActions } from "../../../worker/suggestions/actions";
import { addDays, localToUtc } from "../../../worker/scheduling/zone";
import { drainWaitlist } from "../../../worker/waitlist/offers";
import { acceptOffer, resolveOffer } from "../../../worker/waitlist/accept";
import { bindingSender, type OutgoingEmail, setEmailSenderOverride } from "../../../worker/email/sender";
import { TwilioEmulator } from "../../fakes/twilio/emulator";
import { installTwilioEmulator } from "../../fakes/twilio/router";
import { accept, hubIdle, offerPage, tokenIn } from "./offer-client";
import { weekdayAhead, ZONE } from "./dates";
import { authed, countRows, makeClinic, makePatient, queuedCalendar } from "../../helpers";

const twilio = new TwilioEmulator("AC00000000000000000000000000000001", "twilio-test-auth-token", "+15005550006", "https://acms.test/api/webhooks/twilio/sms");
let uninstall: () => void;
beforeAll(() => (uninstall = installTwilioEmulator(twilio)));
afterAll(() => uninstall());
beforeEach(() => {
  twilio.messages.length = 0;
});

const H = 3_600_000;

let phoneSeq = 902000;
let pastSeq = 0;
/** Past visits of a patient, straight into D1 (history the model reads). */
async function history(f: { clinic: { id: string } }, doctorId: string, patientId: string, status: "completed" | "no_show", n: number) {
  const past = Date.now() - 30 * 86_400_000;
  for (let i = 0; i < n; i++) {
    const at = past - i * 7 * 86_400_000;
    await env.DB.prepare(
      "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, status, created_by, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, ?, 'consultation', ?, 't', 't', ?, ?)",
    )
      .bind(`standbypast${pastSeq++}`, f.clinic.id, doctorId, patientId, at, at + 1_800_000, status, at - 7 * 86_400_000, at)
      .run();
  }
}

/** A clinic with one booked patient (unconfirmed, never reminded, two earlier no-shows: high risk) at 14:30 and `waiting` SMS patients on the waitlist. */
async function setup(waiting: string[], early: Record<string, unknown> = {}) {
  const f = await makeClinic({ name: "Standby Clinic", timeZone: ZONE, patients: [{ name: "Held Person", email: "held@mail.example" }, { name: "Other Person" }] });
  const admin = authed(f.tokens.admin);
  const desk = authed(f.tokens.receptionist);
  await admin.put("/api/clinic/reminders", { phone: "020 7946 0000", cancelCutoffMinutes: 120, quietHours: { start: "00:00", end: "00:00" }, rules: [] });
  const d = f.doctors[0].doctor;
  await queuedCalendar(f.doctors[0]); // so the write path's sync outbox row shows (only doctors with a calendar get one)
  if (!early.lowRisk) await history(f, d.id, f.patients[0].id, "no_show", 2);
  else await history(f, d.id, f.patients[0].id, "completed", 12);
  delete early.lowRisk;
  const day = weekdayAhead(1);
  const start = localToUtc(ZONE, day, "14:30");
  const res = await desk.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString() });
  expect(res.status).toBe(201);
  const held = (await res.json<any>()).appointment;
  await hubIdle(d.id);
  const people = [];
  for (const name of waiting) {
    const local = `07700 ${phoneSeq++}`;
    const p = await makePatient(f.clinic.id, { name, phone: local });
    expect((await desk.put(`/api/patients/${p.id}/sms-consent`, { consent: true })).status).toBe(200);
    const e = await desk.post("/api/waitlist", {
      patientId: p.id,
      doctorId: d.id,
      type: "consultation",
      earliestDate: addDays(day, -1),
      latestDate: addDays(day, 3),
      preferences: [{ days: [], from: "13:00", to: "17:00" }],
      channel: "sms",
    });
    expect(e.status).toBe(201);
    people.push({ ...p, e164: `+447700${local.slice(6)}` });
  }
  const put = await admin.put("/api/suggestions/settings", { waitlistEarly: { enabled: true, cutoffHours: 168, finalHours: 4, ...early } });
  expect(put.status).toBe(200);
  return { f, d, day, start, held, people, admin, desk };
}
type Setup = Awaited<ReturnType<typeof setup>>;

const riskLevel = async (s: Setup, id: string) => (await (await s.desk.get(`/api/suggestions/risk/${id}`)).json<any>()).risk?.level;
const standbySlot = (s: Setup) => env.DB.prepare("SELECT id, state, final_at FROM waitlist_slots WHERE standby_for = ?").bind(s.held.id).first<any>();
const active = (s: Setup) => env.DB.prepare("SELECT id, patient_id FROM appointments WHERE doctor_id = ? AND start_ms < ? AND end_ms > ? AND status IN ('scheduled','confirmed')").bind(s.d.id, s.start + 30 * 60_000, s.start).all<any>();
const offerStates = async (s: Setup) => (await env.DB.prepare("SELECT o.state FROM waitlist_offers o JOIN waitlist_slots w ON w.id = o.slot_id WHERE w.standby_for = ? ORDER BY o.state").bind(s.held.id).all<any>()).results.map((r) => r.state);
/** Another appointment an hour after the held one is booked and cancelled: a really free time, offered to the waitlist. */
async function freeAnHourLater(s: Setup) {
  const other = s.start + 60 * 60_000;
  const r = await s.desk.post("/api/appointments", { doctorId: s.d.id, patientId: s.f.patients[1].id, start: new Date(other).toISOString(), end: new Date(other + 30 * 60_000).toISOString() });
  const appt = (await r.json<any>()).appointment;
  await hubIdle(s.d.id);
  expect((await s.desk.post(`/api/appointments/${appt.id}/cancel`, { version: appt.version })).status).toBe(200);
  await hubIdle(s.d.id);
}
const smsTo = (e164: string) => twilio.messages.filter((m) => m.to === e164).map((m) => m.body);

/** The cron's risk actions, then the doctor's hub offering: returns the first offered patient's token. */
async function offerAtCutoff(s: Setup) {
  await runRiskActions(env, Date.now());
  await hubIdle(s.d.id);
}

/** Offered at the cut-off, then the first patient stands by; returns everyone's tokens. */
async function standBy(s: Setup) {
  await offerAtCutoff(s);
  const tokens = s.people.map((p) => tokenIn(smsTo(p.e164)[0] ?? ""));
  const page = await (await accept(tokens[0]!)).text();
  expect(page).toContain("You are standing by for this time");
  expect(page).toContain("It becomes yours only if the patient booked at that time cancels");
  await hubIdle(s.d.id);
  return tokens;
}

describe("standby offers of high-risk unconfirmed times", () => {
  it("at the cut-off a high-risk unconfirmed time is offered as standby, once, saying plainly it is booked; accepting books nothing yet", async () => {
    const s = await setup(["Ann Wait", "Ben Wait"]);
    expect(await riskLevel(s, s.held.id)).toBe("high");
    await offerAtCutoff(s);
    const slot = await standbySlot(s);
    expect(slot.state).toBe("offering");
    expect(slot.final_at).toBe(s.start - 4 * H);
    const texts = s.people.map((p) => smsTo(p.e164));
    expect(texts.map((t) => t.length)).toEqual([1, 1]);
    expect(texts[0][0]).toMatch(/^Standby Clinic: standby offer for an earlier .*14:30\. It is booked by someone else now\. It becomes yours only if the patient booked at that time cancels by .*10:30\./);
    // Never who holds it.
    expect(texts[0][0]).not.toContain("Held Person");
    // The next cron ticks offer nothing more.
    await offerAtCutoff(s);
    await offerAtCutoff(s);
    expect(await countRows("waitlist_slots", "standby_for = ?", s.held.id)).toBe(1);
    expect(twilio.messages).toHaveLength(2);
    expect(await countRows("audit_log", "entity_id = ? AND action = 'waitlist.standby_offer'", s.held.id)).toBe(1);

    // The patient's page says standby, not "book".
    const token = tokenIn(texts[0][0])!;
    const page = await (await offerPage(token)).text();
    expect(page).toContain("Standby offer: this time may come free");
    expect(page).toContain("This time is booked by another patient who has not confirmed it.");
    expect(page).toContain("Stand by for this time");
    expect(page).not.toContain("Book this time");
    await accept(token);
    await hubIdle(s.d.id);
    // Nothing booked: the original still holds the time alone; Ben's offer is taken.
    expect((await active(s)).results.map((r) => r.id)).toEqual([s.held.id]);
    expect(await offerStates(s)).toEqual(["standing", "taken"]);
    expect((await standbySlot(s)).state).toBe("standing");
    // Staff's offer board says which offers were standby ones.
    const board = (await (await s.desk.get("/api/waitlist/offers")).json<any>()).offers;
    expect(board.map((o: any) => [o.patientName, o.state, o.standby]).sort()).toEqual([["Ann Wait", "standing", true], ["Ben Wait", "taken", true]]);
  });

  it("the original patient confirms: the standby offers are withdrawn and the patients told; nothing is booked", async () => {
    const s = await setup(["Ann Wait", "Ben Wait"]);
    await offerAtCutoff(s);
    const tokens = s.people.map((p) => tokenIn(smsTo(p.e164)[0])!);
    expect((await accept(tokens[0])).status).toBe(200);
    await hubIdle(s.d.id);
    const r = await s.desk.patch(`/api/appointments/${s.held.id}`, { version: s.held.version, status: "confirmed" });
    expect(r.status).toBe(200);
    await hubIdle(s.d.id);
    expect((await standbySlot(s)).state).toBe("withdrawn");
    expect(await offerStates(s)).toEqual(["taken", "withdrawn"]);
    expect(smsTo(s.people[0].e164).at(-1)).toContain("withdrawn — the patient booked at that time has confirmed. You are still on the waitlist.");
    expect(await (await offerPage(tokens[0])).text()).toContain("This standby offer is withdrawn");
    expect((await active(s)).results.map((r) => r.id)).toEqual([s.held.id]);
    const entries = (await (await s.desk.get("/api/waitlist?state=all")).json<any>()).entries;
    expect(entries.every((e: any) => e.state === "waiting")).toBe(true);
  });

  it("the original patient cancels: the standing patient is booked through the write path, once; nobody else is offered the time", async () => {
    const s = await setup(["Ann Wait", "Ben Wait", "Cat Wait"]);
    const tokens = await standBy(s);
    const sentBefore = twilio.messages.length;
    expect((await s.desk.post(`/api/appointments/${s.held.id}/cancel`, { version: s.held.version })).status).toBe(200);
    await hubIdle(s.d.id);
    await hubIdle(s.d.id);
    const rows = (await active(s)).results;
    expect(rows).toHaveLength(1);
    expect(rows[0].patient_id).toBe(s.people[0].id);
    const audit = await env.DB.prepare("SELECT actor_label FROM audit_log WHERE entity_id = ? AND action = 'appointment.create'").bind(rows[0].id).first<any>();
    expect(audit.actor_label).toBe("patient via waitlist (standby)");
    expect(await countRows("sync_outbox", "appointment_id = ?", rows[0].id)).toBe(1);
    expect((await standbySlot(s)).state).toBe("filled");
    // Told it is theirs; the others got no ordinary "is free" offer for the freed time.
    expect(smsTo(s.people[0].e164).at(-1)).toMatch(/the time you stood by for is now yours: .*14:30/);
    expect(twilio.messages.slice(sentBefore).map((m) => m.to)).toEqual([s.people[0].e164]);
    const freed = await env.DB.prepare("SELECT state FROM waitlist_slots WHERE doctor_id = ? AND standby_for IS NULL").bind(s.d.id).first<any>();
    expect(freed.state).toBe("gone");
    // The refill figures count the cancel once: one time freed, and it was refilled.
    const stats = await (await s.desk.get("/api/waitlist/stats")).json<any>();
    expect([stats.slotsFreed, stats.slotsRefilled]).toEqual([1, 1]);
    expect(await (await offerPage(tokens[0]!)).text()).toContain("You have booked this time");
    expect(await (await offerPage(tokens[1]!)).text()).toContain("This time has been taken");
    const notice = await env.DB.prepare("SELECT message FROM notices WHERE kind = 'waitlist_filled' AND user_id = ?").bind(s.f.receptionist.user.id).first<any>();
    expect(notice.message).toMatch(/^Waitlist standby filled .*14:30 with Ann Wait\.$/);
  });

  it("race: a receptionist books the freed time before the hub books the standing patient — one booking, and the standing patient is told", async () => {
    const s = await setup(["Ann Wait"]);
    await standBy(s);
    // Cancel and book at once, as a front desk filling a cancellation by phone would.
    const [cancelled, booked] = await Promise.all([
      s.desk.post(`/api/appointments/${s.held.id}/cancel`, { version: s.held.version }),
      (async () => {
        for (let i = 0; i < 20; i++) {
          const r = await s.desk.post("/api/appointments", { doctorId: s.d.id, patientId: s.f.patients[1].id, start: new Date(s.start).toISOString(), end: new Date(s.start + 30 * 60_000).toISOString() });
          if (r.status === 201) return r;
          await r.body?.cancel();
        }
        return null;
      })(),
    ]);
    expect(cancelled.status).toBe(200);
    await hubIdle(s.d.id);
    await hubIdle(s.d.id);
    const rows = (await active(s)).results;
    // Never double-booked, whoever got there first.
    expect(rows).toHaveLength(1);
    const states = await offerStates(s);
    if (rows[0].patient_id === s.f.patients[1].id) {
      expect(booked?.status).toBe(201);
      expect(states).toEqual(["taken"]);
      expect((await standbySlot(s)).state).toBe("gone");
      expect(smsTo(s.people[0].e164).at(-1)).toContain("you were standing by for has been taken. You are still on the waitlist.");
      const entries = (await (await s.desk.get("/api/waitlist?state=all")).json<any>()).entries;
      expect(entries[0].state).toBe("waiting");
    } else {
      expect(rows[0].patient_id).toBe(s.people[0].id);
      expect(booked).toBeNull();
      expect(states).toEqual(["accepted"]);
    }
  });

  it("two patients accept a standby offer at once: the slot is claimed once — one stands by, the other's offer is taken; the release books one", async () => {
    const s = await setup(["Ann Wait", "Ben Wait"]);
    await offerAtCutoff(s);
    const offers = await Promise.all(s.people.map((p) => resolveOffer(env.DB, tokenIn(smsTo(p.e164)[0])!)));
    const now = Date.now();
    const results = await Promise.all(offers.map((o) => acceptOffer(env, o!, now)));
    expect(results.filter((r) => r.ok && "standing" in r)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(["taken"]);
    expect(await offerStates(s)).toEqual(["standing", "taken"]);
    await hubIdle(s.d.id);
    const loser = s.people[results.findIndex((r) => !r.ok)];
    expect(await (await offerPage(tokenIn(smsTo(loser.e164)[0])!)).text()).toContain("This time has been taken");
    expect((await s.desk.post(`/api/appointments/${s.held.id}/cancel`, { version: s.held.version })).status).toBe(200);
    await hubIdle(s.d.id);
    await hubIdle(s.d.id);
    expect((await active(s)).results.map((r) => r.patient_id)).toEqual([s.people[results.findIndex((r) => r.ok)].id]);
    expect(await offerStates(s)).toEqual(["accepted", "taken"]);
  });

  it("release with two standing offers (as two simultaneous accepts could leave): one is booked, the other is taken and told, never left standing", async () => {
    const s = await setup(["Ann Wait", "Ben Wait"]);
    await standBy(s);
    // The state two simultaneous acceptances left before the slot itself was claimed.
    await env.DB.prepare("UPDATE waitlist_offers SET state = 'standing', answered_at = ? WHERE patient_id = ?").bind(Date.now(), s.people[1].id).run();
    expect(await offerStates(s)).toEqual(["standing", "standing"]);
    expect((await s.desk.post(`/api/appointments/${s.held.id}/cancel`, { version: s.held.version })).status).toBe(200);
    await hubIdle(s.d.id);
    await hubIdle(s.d.id);
    expect((await active(s)).results.map((r) => r.patient_id)).toEqual([s.people[0].id]);
    expect(await offerStates(s)).toEqual(["accepted", "taken"]);
    expect(smsTo(s.people[1].e164).at(-1)).toContain("you were standing by for has been taken. You are still on the waitlist.");
  });

  it("standby news respects SMS consent withdrawn since the offer: e-mail when there is an address, else nothing", async () => {
    const s = await setup(["Ann Wait", "Ben Wait"]);
    const mails: OutgoingEmail[] = [];
    setEmailSenderOverride((e) => {
      const real = bindingSender(e.EMAIL!);
      return { async send(m) { await real.send(m); mails.push(m); } };
    });
    try {
      await standBy(s); // Ann stands by; Ben's offer is taken
      await env.DB.prepare("UPDATE waitlist_offers SET state = 'opened' WHERE patient_id = ?").bind(s.people[1].id).run();
      await env.DB.prepare("UPDATE patients SET email = 'ben@mail.example' WHERE id = ?").bind(s.people[1].id).run();
      await env.DB.prepare("UPDATE patients SET email = '' WHERE id = ?").bind(s.people[0].id).run();
      // Both reply STOP after the offer went out.
      for (const p of s.people) await twilio.inbound(p.e164, "STOP");
      const sent = s.people.map((p) => smsTo(p.e164).length);
      expect((await s.desk.patch(`/api/appointments/${s.held.id}`, { version: s.held.version, status: "confirmed" })).status).toBe(200);
      await hubIdle(s.d.id);
      expect((await standbySlot(s)).state).toBe("withdrawn");
      // No text to either; Ben hears by e-mail, Ann (no address) not at all — her page says it.
      expect(s.people.map((p) => smsTo(p.e164).filter((b) => b.includes("withdrawn")).length)).toEqual([0, 0]);
      expect(s.people.map((p) => smsTo(p.e164).length)).toEqual(sent);
      const news = mails.filter((m) => /standby offer/i.test(m.raw) && /withdrawn/.test(m.raw));
      expect(news.map((m) => m.to)).toEqual(["ben@mail.example"]);
    } finally {
      setEmailSenderOverride(null);
    }
  });

  it("a patient standing by cannot take themselves off the waitlist, from that page or another offer's", async () => {
    const s = await setup(["Ann Wait"]);
    await offerAtCutoff(s);
    const standbyToken = tokenIn(smsTo(s.people[0].e164)[0])!;
    expect(await (await offerPage(standbyToken)).text()).toContain("Take me off the waitlist");
    await accept(standbyToken);
    await hubIdle(s.d.id);
    expect(await (await offerPage(standbyToken)).text()).not.toContain("Take me off the waitlist");
    // Another time that day comes free and is offered to her while she stands by.
    await freeAnHourLater(s);
    const free = tokenIn(smsTo(s.people[0].e164).at(-1)!)!;
    expect(free).not.toBe(standbyToken);
    const page = await (await offerPage(free)).text();
    expect(page).toContain("Book this time");
    expect(page).not.toContain("Take me off the waitlist");
    // A crafted form post does not do it either: still waiting, still standing by.
    const posted = await offerPage(free, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "action=leave-confirmed" });
    expect(await posted.text()).not.toContain("you are off the waitlist");
    expect(await env.DB.prepare("SELECT state FROM waitlist_entries WHERE patient_id = ?").bind(s.people[0].id).first<string>("state")).toBe("waiting");
    expect(await offerStates(s)).toContain("standing");
  });

  it("an open standby offer does not keep a patient from a time that is really free; booking it ends their standby", async () => {
    const s = await setup(["Ann Wait"]);
    await offerAtCutoff(s);
    const standbyToken = tokenIn(smsTo(s.people[0].e164)[0])!;
    // Another appointment that day is cancelled: Ann, holding an open standby offer, is offered it.
    await freeAnHourLater(s);
    const free = smsTo(s.people[0].e164).at(-1)!;
    expect(free).toMatch(/an earlier .*appointment is free .*15:30/);
    expect(await (await accept(tokenIn(free)!)).text()).toContain("Booked: your appointment");
    // Off the waitlist now: the standby offer is closed, and the held patient's cancel books nothing for her.
    expect(await (await offerPage(standbyToken)).text()).toContain("This offer has closed");
    expect((await s.desk.post(`/api/appointments/${s.held.id}/cancel`, { version: s.held.version })).status).toBe(200);
    await hubIdle(s.d.id);
    expect((await active(s)).results).toHaveLength(0);
    expect((await standbySlot(s)).state).toBe("released");
  });

  it("the final point: unconfirmed is released if the clinic chose so (the standing patient booked), otherwise the original keeps it", async () => {
    const s = await setup(["Ann Wait"], { releaseUnconfirmed: true });
    await standBy(s);
    const slot = await standbySlot(s);
    await drainWaitlist(env, s.d.id, null, slot.final_at + 1000);
    await hubIdle(s.d.id);
    const held = await env.DB.prepare("SELECT status FROM appointments WHERE id = ?").bind(s.held.id).first<any>();
    expect(held.status).toBe("cancelled");
    const audit = await env.DB.prepare("SELECT actor_label FROM audit_log WHERE entity_id = ? AND action = 'appointment.cancel'").bind(s.held.id).first<any>();
    expect(audit.actor_label).toBe("no-show risk: unconfirmed by the final point");
    const rows = (await active(s)).results;
    expect(rows.map((r) => r.patient_id)).toEqual([s.people[0].id]);

    const k = await setup(["Ben Wait"]);
    await standBy(k);
    await drainWaitlist(env, k.d.id, null, (await standbySlot(k)).final_at + 1000);
    expect((await standbySlot(k)).state).toBe("lapsed");
    expect((await active(k)).results.map((r) => r.id)).toEqual([k.held.id]);
    expect(smsTo(k.people[0].e164).at(-1)).toContain("stays with the patient booked then. You are still on the waitlist.");
  });

  it("the final point's release: a booking waiting for the doctor's lock cannot come between the cancel and the standing patient's booking", async () => {
    const s = await setup(["Cai Wait"], { releaseUnconfirmed: true });
    await standBy(s);
    const slot = await standbySlot(s);
    // A receptionist books the same time while the release runs: it gets the doctor's lock at the
    // first moment the release lets go of it.
    const competing = () =>
      s.desk.post("/api/appointments", { doctorId: s.d.id, patientId: s.f.patients[1].id, start: new Date(s.start).toISOString(), end: new Date(s.start + 30 * 60_000).toISOString() });
    let sections = 0;
    let competitor: Response | undefined;
    const hub = {
      publish: async () => {},
      exclusive: async <T,>(fn: () => Promise<T>): Promise<T> => {
        if (sections++ > 0) competitor = await competing();
        return fn();
      },
    };
    await drainWaitlist(env, s.d.id, hub, slot.final_at + 1000);
    competitor ??= await competing();
    expect(competitor.status).toBe(409);
    expect((await active(s)).results.map((r) => r.patient_id)).toEqual([s.people[0].id]);
    expect(smsTo(s.people[0].e164).at(-1)).toContain("is now yours");
  });

  it("a confirmed or low-risk appointment gets no standby offer; neither does one whose cut-off has not come", async () => {
    const s = await setup(["Ann Wait"], { cutoffHours: 168 });
    expect((await s.desk.patch(`/api/appointments/${s.held.id}`, { version: s.held.version, status: "confirmed" })).status).toBe(200);
    await offerAtCutoff(s);
    expect(await countRows("waitlist_slots", "standby_for = ?", s.held.id)).toBe(0);

    // Lower risk: a patient with a long record of kept visits.
    const l = await setup(["Ben Wait"], { lowRisk: true });
    const level = await riskLevel(l, l.held.id);
    expect(level).not.toBe("high");
    await offerAtCutoff(l);
    expect(await countRows("waitlist_slots", "standby_for = ?", l.held.id)).toBe(0);

    // High risk but the cut-off (1 hour before) has not come yet.
    const c = await setup(["Cat Wait"], { cutoffHours: 2, finalHours: 1 });
    expect(await riskLevel(c, c.held.id)).toBe("high");
    await offerAtCutoff(c);
    expect(await countRows("waitlist_slots", "standby_for = ?", c.held.id)).toBe(0);
    expect(twilio.messages).toHaveLength(0);
  });

  it("settings: the final point must come after the cut-off (422 with the field), nothing written", async () => {
    const s = await setup([]);
    const r = await s.admin.put("/api/suggestions/settings", { waitlistEarly: { enabled: true, cutoffHours: 4, finalHours: 6 } });
    expect(r.status).toBe(422);
    expect(JSON.stringify(await r.json())).toContain("finalHours");
    const now = (await (await s.admin.get("/api/suggestions/settings")).json<any>()).settings.waitlistEarly;
    expect(now).toEqual({ enabled: true, cutoffHours: 168, finalHours: 4, releaseUnconfirmed: false });
  });
});
