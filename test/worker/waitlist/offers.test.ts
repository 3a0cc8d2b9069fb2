// The waitlist end to end in workerd with the Twilio emulator and the e-mail recorder: a
// cancellation frees a slot (same batch), the doctor's hub offers it to the top 3, two accept in
// the same moment and exactly one gets it; the reply window, quiet hours, STOP, privacy.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bindingSender, type OutgoingEmail, setEmailSenderOverride } from "../../../worker/email/sender";
import { addDays, localToUtc, utcToLocal } from "../../../worker/scheduling/zone";
import { drainWaitlist, offerWindows } from "../../../worker/waitlist/offers";
import { offerSlot } from "../../../worker/waitlist/offer-slot";
import { acceptOffer, resolveOffer } from "../../../worker/waitlist/accept";
import { sha256Hex } from "../../../worker/ids";
import { TwilioEmulator } from "../../fakes/twilio/emulator";
import { installTwilioEmulator } from "../../fakes/twilio/router";
import { accept, hubIdle, offerPage, tokenIn } from "./offer-client";
import { weekdayAhead, ZONE } from "./dates";
import { authed, countRows, makeClinic, makePatient, queuedCalendar } from "../../helpers";

const twilio = new TwilioEmulator("AC00000000000000000000000000000001", "twilio-test-auth-token", "+15005550006", "https://acms.test/api/webhooks/twilio/sms");
let uninstall: () => void;
beforeAll(() => (uninstall = installTwilioEmulator(twilio)));
afterAll(() => uninstall());
let mails: OutgoingEmail[] = [];
beforeEach(() => {
  mails = [];
  twilio.messages.length = 0;
  setEmailSenderOverride((e) => {
    const real = bindingSender(e.EMAIL!);
    return { async send(m) { await real.send(m); mails.push(m); } };
  });
});
afterEach(() => setEmailSenderOverride(null));



let phoneSeq = 901000;
/** A clinic with one booked patient and `waiting` patients on the waitlist (SMS with consent unless said otherwise). */
async function setup(waiting: { name: string; channel?: "sms" | "email"; email?: string; consent?: boolean; priority?: number; type?: string }[], settings: Record<string, unknown> = {}) {
  const f = await makeClinic({ name: "Riverside Clinic", timeZone: ZONE, patients: [{ name: "Booked Person", email: "booked@mail.example" }] });
  const admin = authed(f.tokens.admin);
  const desk = authed(f.tokens.receptionist);
  await admin.put("/api/clinic/reminders", { phone: "020 7946 0000", cancelCutoffMinutes: 120, quietHours: { start: "00:00", end: "00:00" }, rules: [] });
  if (Object.keys(settings).length) expect((await admin.put("/api/waitlist/settings", settings)).status).toBe(200);
  const d = f.doctors[0].doctor;
  await queuedCalendar(f.doctors[0]); // so the write path's sync outbox row shows (only doctors with a calendar get one)
  const day = weekdayAhead(1);
  const start = localToUtc(ZONE, day, "14:30");
  const res = await desk.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString(), reason: "REASON-SECRET" });
  expect(res.status).toBe(201);
  const booked = (await res.json<any>()).appointment;
  await hubIdle(d.id);
  const people = [];
  for (const w of waiting) {
    const local = `07700 ${phoneSeq++}`;
    const p = await makePatient(f.clinic.id, { name: w.name, phone: local, email: w.email ?? "" });
    if (w.consent !== false) expect((await desk.put(`/api/patients/${p.id}/sms-consent`, { consent: true })).status).toBe(200);
    const e = await desk.post("/api/waitlist", {
      patientId: p.id,
      doctorId: w.type === "any" ? null : d.id,
      type: "consultation",
      earliestDate: addDays(day, -1),
      latestDate: addDays(day, 3),
      preferences: [{ days: [], from: "13:00", to: "17:00" }],
      channel: w.channel ?? "sms",
      priority: w.priority ?? 0,
    });
    expect(e.status).toBe(201);
    people.push({ ...p, e164: `+447700${local.slice(6)}`, entry: (await e.json<any>()).entry });
  }
  return { f, d, day, start, booked, people, admin, desk };
}

const cancel = async (s: Awaited<ReturnType<typeof setup>>) => {
  const r = await s.desk.post(`/api/appointments/${s.booked.id}/cancel`, { version: s.booked.version });
  expect(r.status).toBe(200);
  await hubIdle(s.d.id);
};

describe("offerWindows: which stretches of freed time can be offered", () => {
  const H = 3_600_000;
  const day = Date.UTC(2027, 2, 10);
  const working = [{ start: day + 9 * H, end: day + 12 * H }, { start: day + 13 * H, end: day + 17 * H }];
  it.each([
    ["a freed appointment inside hours", { start: day + 10 * H, end: day + 10.5 * H }, [], 0, [{ start: day + 10 * H, end: day + 10.5 * H }]],
    ["a removed all-day block: the working periods", { start: day, end: day + 24 * H }, [], 0, working],
    ["half re-booked: the free half", { start: day + 10 * H, end: day + 11 * H }, [{ start: day + 10 * H, end: day + 10.5 * H }], 0, [{ start: day + 10.5 * H, end: day + 11 * H }]],
    ["fully re-booked: nothing", { start: day + 10 * H, end: day + 10.5 * H }, [{ start: day + 10 * H, end: day + 10.5 * H }], 0, []],
    ["outside working hours: nothing", { start: day + 18 * H, end: day + 19 * H }, [], 0, []],
    ["the morning is inside the cut-off: the afternoon", { start: day, end: day + 24 * H }, [], day + 10 * H, [working[1]]],
    ["a 3-minute leftover is not a slot", { start: day + 10 * H, end: day + 10 * H + 3 * 60_000 }, [], 0, []],
  ])("%s", (_w, slot, busy, earliest, want) => expect(offerWindows(slot, working, busy, earliest)).toEqual(want));
});

describe("waitlist offers", () => {
  it("a cancellation is offered to the top 3 by SMS; two accept at once: one booking, one 'taken'; staff see outcomes and a notice", async () => {
    const s = await setup([{ name: "Ann First", priority: 1 }, { name: "Ben Second" }, { name: "Cat Third" }, { name: "Dan Fourth" }]);
    await cancel(s);
    // The top 3 in order (priority, then date added) got an SMS each; the 4th did not.
    expect(twilio.messages.map((m) => m.to).sort()).toEqual(s.people.slice(0, 3).map((p) => p.e164).sort());
    const tokens = s.people.slice(0, 3).map((p) => tokenIn(twilio.messages.find((m) => m.to === p.e164)!.body)!);
    expect(tokens.every(Boolean)).toBe(true);
    const slot = await env.DB.prepare("SELECT state, cause, offered_at FROM waitlist_slots WHERE doctor_id = ?").bind(s.d.id).first<any>();
    expect(slot.state).toBe("offering");
    expect(slot.cause).toBe("cancel");

    // Ann opens hers (staff see 'opened'), then Ann and Ben accept in the same moment.
    const view = await (await offerPage(tokens[0])).text();
    expect(view).toContain("Book this time");
    const board = await (await s.desk.get("/api/waitlist/offers")).json<any>();
    expect(board.offers.find((o: any) => o.patientName === "Ann First")).toMatchObject({ state: "opened", standby: false });
    const [a, b] = await Promise.all([accept(tokens[0]), accept(tokens[1])]);
    const pages = [await a.text(), await b.text()];
    expect(pages.filter((h) => h.includes("Booked: your appointment")).length).toBe(1);
    expect(pages.filter((h) => h.includes("This time has been taken — you are still on the waitlist")).length).toBe(1);
    // Exactly one booking in that slot, through the write path (actor "patient via waitlist").
    const rows = await env.DB.prepare("SELECT id, patient_id FROM appointments WHERE doctor_id = ? AND start_ms = ? AND status != 'cancelled'").bind(s.d.id, s.start).all<any>();
    expect(rows.results).toHaveLength(1);
    const winner = s.people.find((p) => p.id === rows.results[0].patient_id)!;
    expect(["Ann First", "Ben Second"]).toContain(winner.name);
    const audit = await env.DB.prepare("SELECT actor_label FROM audit_log WHERE entity_id = ? AND action = 'appointment.create'").bind(rows.results[0].id).first<any>();
    expect(audit.actor_label).toBe("patient via waitlist");
    expect(await countRows("sync_outbox", "appointment_id = ?", rows.results[0].id)).toBe(1);

    // Cat opens hers afterwards: taken, still on the waitlist.
    expect(await (await offerPage(tokens[2])).text()).toContain("This time has been taken — you are still on the waitlist");
    const entries = (await (await s.desk.get("/api/waitlist?state=all")).json<any>()).entries;
    const stateOf = (name: string) => entries.find((e: any) => e.patientName === name).state;
    expect(stateOf(winner.name)).toBe("booked");
    expect(stateOf("Cat Third")).toBe("waiting");
    const offers = (await (await s.desk.get("/api/waitlist/offers")).json<any>()).offers;
    expect(offers.map((o: any) => o.state).sort()).toEqual(["accepted", "taken", "taken"]);
    const notice = await env.DB.prepare("SELECT message FROM notices WHERE kind = 'waitlist_filled' AND user_id = ?").bind(s.f.receptionist.user.id).first<any>();
    expect(notice.message).toMatch(new RegExp(`^Waitlist filled .+14:30 with ${winner.name}`));
    const stats = await (await s.desk.get("/api/waitlist/stats")).json<any>();
    expect(stats).toMatchObject({ slotsFreed: 1, slotsOffered: 1, slotsRefilled: 1 });
    expect(stats.avgMinutesToRefill).toBeGreaterThanOrEqual(0);
    // A second tap on the winner's own link books nothing more.
    const winnerToken = tokens[s.people.indexOf(winner)];
    expect(await (await accept(winnerToken)).text()).toContain("You have booked this time");
    expect(await countRows("appointments", "doctor_id = ? AND start_ms = ? AND status != 'cancelled'", s.d.id, s.start)).toBe(1);
  });

  it("one at a time: the first offer's reply window closes, then the next patient is asked; a late accept gets 'closed'", async () => {
    const s = await setup([{ name: "Ann First" }, { name: "Ben Second" }], { waitlistMode: "sequential", waitlistReplyMinutes: 15 });
    await cancel(s);
    expect(twilio.messages.map((m) => m.to)).toEqual([s.people[0].e164]);
    expect(twilio.messages[0].body).toContain("held for you for 15 minutes");
    const first = tokenIn(twilio.messages[0].body)!;
    // 16 minutes later the hub's alarm runs: Ann's offer expired, Ben is asked.
    await drainWaitlist(env, s.d.id, null, Date.now() + 16 * 60_000);
    expect(twilio.messages.map((m) => m.to)).toEqual([s.people[0].e164, s.people[1].e164]);
    const late = await accept(first);
    expect(await late.text()).toContain("you are still on the waitlist");
    expect(await countRows("appointments", "doctor_id = ? AND start_ms = ? AND status != 'cancelled'", s.d.id, s.start)).toBe(0);
    const ben = await accept(tokenIn(twilio.messages[1].body)!);
    expect(await ben.text()).toContain("Booked: your appointment");
  });

  it("no SMS offer in quiet hours: the slot waits for them to end; e-mail and SMS go in waitlist order then", async () => {
    // Quiet hours around the current clinic-local time, ending in two hours.
    const now = Date.now();
    const m = Number(utcToLocal(ZONE, now).time.slice(0, 2)) * 60 + Number(utcToLocal(ZONE, now).time.slice(3));
    const hh = (x: number) => `${String(Math.floor(((x + 1440) % 1440) / 60)).padStart(2, "0")}:${String((x + 1440) % 60).padStart(2, "0")}`;
    const s = await setup([{ name: "Ann First" }]);
    await s.admin.put("/api/clinic/reminders", { quietHours: { start: hh(m - 60), end: hh(m + 120) } });
    await cancel(s);
    expect(twilio.messages).toHaveLength(0);
    const slot = await env.DB.prepare("SELECT state, next_at FROM waitlist_slots WHERE doctor_id = ?").bind(s.d.id).first<any>();
    expect(slot.state).toBe("new");
    expect(slot.next_at).toBeGreaterThan(now + 100 * 60_000);
    await drainWaitlist(env, s.d.id, null, slot.next_at + 1000);
    expect(twilio.messages.map((x) => x.to)).toEqual([s.people[0].e164]);
  });

  it("a STOP'd patient gets no SMS offer: e-mail if they have one, else they are passed over", async () => {
    const s = await setup([{ name: "Ann Stopped" }, { name: "Ben Stopped", email: "ben@mail.example" }, { name: "Cat Fine" }], { waitlistParallel: 3 });
    // Staff cannot choose SMS for a patient without consent.
    const refused = await s.desk.post("/api/waitlist", { patientId: (await makePatient(s.f.clinic.id, { name: "No Consent", phone: "07700 999999" })).id, doctorId: null, type: "consultation", earliestDate: s.day, latestDate: s.day, channel: "sms" });
    expect(refused.status).toBe(422);
    // Ann and Ben reply STOP after being put on the list.
    await twilio.inbound(s.people[0].e164, "STOP");
    await twilio.inbound(s.people[1].e164, "STOP");
    await cancel(s);
    expect(twilio.messages.map((x) => x.to)).toEqual([s.people[2].e164]);
    const offerMails = mails.filter((x) => /Message-ID: <reminder\.waitlist\./i.test(x.raw));
    expect(offerMails.map((x) => x.to)).toEqual(["ben@mail.example"]);
    expect(await countRows("waitlist_offers", "patient_id = ?", s.people[0].id)).toBe(0);
  });

  it("an offer says clinic, doctor, date and time — no reason, no other patient, no sensitive type; staff can offer any free time", async () => {
    const s = await setup([{ name: "Ann First" }], { sensitiveTypes: ["consultation"] });
    await cancel(s);
    const body = twilio.messages[0].body;
    expect(body).toContain("Riverside Clinic");
    expect(body).toContain(s.d.name);
    expect(body).toContain("14:30");
    for (const secret of ["REASON-SECRET", "Booked Person", "Ann", "consultation"]) expect(body).not.toContain(secret);
    const html = await (await offerPage(tokenIn(body)!)).text();
    for (const secret of ["REASON-SECRET", "Booked Person", "Ann", "consultation"]) expect(html).not.toContain(secret);
    expect(html).not.toContain("<script");
    // Bad tokens: one plain page.
    for (const t of ["A".repeat(32), "short"]) {
      const r = await offerPage(t);
      expect(r.status).toBe(404);
      expect(await r.text()).toContain("This link is not valid");
    }
    // offerSlot (staff, or the no-show predictor): a free 13:00 on the same day goes to the waitlist too (Ann holds an offer already, so a new patient is needed).
    const other = await setup([{ name: "Eve Other" }]);
    const at = localToUtc(ZONE, other.day, "13:00");
    expect(await offerSlot(env, other.d.id, { startMs: at, endMs: at + 30 * 60_000 }, "suggest")).toBeTruthy();
    await hubIdle(other.d.id);
    expect(twilio.messages.some((x) => x.to === other.people[0].e164 && x.body.includes("13:00"))).toBe(true);
  });

  it("a busy block that goes away (staff, or a doctor's own calendar) is offered like a cancellation: the first working stretch someone fits", async () => {
    const s = await setup([{ name: "Ann First" }]);
    // A day off on another weekday, then the doctor comes in after all.
    const off = weekdayAhead(2);
    const block = await s.desk.post("/api/blocked-times", { doctorId: s.d.id, start: new Date(localToUtc(ZONE, off, "00:00")).toISOString(), end: new Date(localToUtc(ZONE, addDays(off, 1), "00:00")).toISOString(), label: "Day off" });
    expect(block.status).toBe(201);
    await hubIdle(s.d.id);
    expect(twilio.messages).toHaveLength(0);
    const id = (await block.json<any>()).blockedTime.id;
    expect((await s.desk.delete(`/api/blocked-times/${id}`)).status).toBeLessThan(300);
    await hubIdle(s.d.id);
    // Ann wants afternoons 13:00–17:00: the morning stretch (09:00–12:00) does not fit her, the afternoon does.
    const slot = await env.DB.prepare("SELECT state, cause FROM waitlist_slots WHERE doctor_id = ?").bind(s.d.id).first<any>();
    expect(slot.cause).toBe("busy block removed (manual)");
    expect(slot.state).toBe("offering");
    expect(twilio.messages.map((x) => x.to)).toEqual([s.people[0].e164]);
    expect(twilio.messages[0].body).toContain("13:00");
  });

  it("a busy block shortened or moved (an updated import, a doctor's own calendar) frees the time it left, offered like a cancellation", async () => {
    const s = await setup([{ name: "Ann First" }]);
    const away = weekdayAhead(2);
    const stamp = (hhmm: string) => new Date(localToUtc(ZONE, away, hhmm)).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const file = (end: string) =>
      ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:away-1@test", "DTSTAMP:20260101T000000Z", `DTSTART:${stamp("09:00")}`, `DTEND:${stamp(end)}`, "SUMMARY:Away", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
    const window = `from=${new Date(localToUtc(ZONE, addDays(away, -1), "00:00")).toISOString()}&to=${new Date(localToUtc(ZONE, addDays(away, 1), "00:00")).toISOString()}`;
    const upload = (body: string) => s.admin(`/api/doctors/${s.d.id}/import/ics?${window}`, { method: "POST", body, headers: { "content-type": "text/calendar; charset=utf-8" } });
    expect((await upload(file("17:00"))).status).toBe(201);
    await hubIdle(s.d.id);
    expect(twilio.messages).toHaveLength(0);
    // The same event, now over at noon: the block is updated in place (not deleted), 12:00–17:00 freed.
    expect((await upload(file("12:00"))).status).toBe(201);
    await hubIdle(s.d.id);
    const slots = (await env.DB.prepare("SELECT start_ms, end_ms, cause FROM waitlist_slots WHERE doctor_id = ?").bind(s.d.id).all<any>()).results;
    expect(slots).toEqual([{ start_ms: localToUtc(ZONE, away, "12:00"), end_ms: localToUtc(ZONE, away, "17:00"), cause: "busy block moved (ics)" }]);
    // Ann wants afternoons: she is offered 13:00 (12:00–13:00 is the doctor's lunch).
    await expect.poll(() => twilio.messages.map((x) => x.to), { timeout: 5000 }).toEqual([s.people[0].e164]);
    expect(twilio.messages[0].body).toContain("13:00");
    // Back to all day: nothing new is freed.
    expect((await upload(file("17:00"))).status).toBe(201);
    await hubIdle(s.d.id);
    expect(await countRows("waitlist_slots", "doctor_id = ?", s.d.id)).toBe(1);
  });

  it("new working hours are offered too (only when someone is waiting)", async () => {
    const s = await setup([{ name: "Ann First" }]);
    await env.DB.prepare("UPDATE waitlist_entries SET preferences = '[]' WHERE id = ?").bind(s.people[0].entry.id).run();
    const longer = Object.fromEntries(["1", "2", "3", "4", "5"].map((d) => [d, [["09:00", "12:00"], ["13:00", "18:00"]]]));
    expect((await s.admin.patch(`/api/doctors/${s.d.id}`, { workingHours: longer })).status).toBe(200);
    await hubIdle(s.d.id);
    expect(await countRows("waitlist_slots", "doctor_id = ? AND cause = 'new working hours'", s.d.id)).toBeGreaterThanOrEqual(8);
    expect(twilio.messages.map((x) => x.to)).toEqual([s.people[0].e164]);
    expect(twilio.messages[0].body).toContain("17:00");
    // Nobody waiting for this doctor: nothing recorded.
    const quiet = await setup([]);
    expect((await quiet.admin.patch(`/api/doctors/${quiet.d.id}`, { workingHours: longer })).status).toBe(200);
    expect(await countRows("waitlist_slots", "doctor_id = ?", quiet.d.id)).toBe(0);
  });

  it("'Not this time' passes the slot on at once (one at a time mode); two accepts in the same millisecond book once", async () => {
    const s = await setup([{ name: "Ann First" }, { name: "Ben Second" }, { name: "Cat Third" }], { waitlistMode: "sequential", waitlistReplyMinutes: 60 });
    await cancel(s);
    expect(twilio.messages.map((m) => m.to)).toEqual([s.people[0].e164]);
    const ann = tokenIn(twilio.messages[0].body)!;
    const no = await offerPage(ann, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "action=decline" });
    expect(await no.text()).toContain("You are still on the waitlist");
    await hubIdle(s.d.id);
    // Ben is asked without waiting for Ann's hour to run out.
    expect(twilio.messages.map((m) => m.to)).toEqual([s.people[0].e164, s.people[1].e164]);
    expect(await (await accept(ann)).text()).not.toContain("Booked");
    // Ben and a forged second offer for Cat (same slot) accept with the very same clock reading.
    const ben = await resolveOffer(env.DB, tokenIn(twilio.messages[1].body)!);
    const catToken = "c".repeat(32);
    await env.DB.prepare(
      "INSERT INTO waitlist_offers (id, clinic_id, slot_id, entry_id, doctor_id, patient_id, start_ms, end_ms, token_hash, channel, state, expires_at, created_at) " +
        "SELECT lower(hex(randomblob(16))), clinic_id, slot_id, ?, doctor_id, ?, start_ms, end_ms, ?, 'sms', 'sent', expires_at, created_at FROM waitlist_offers WHERE id = ?",
    ).bind(s.people[2].entry.id, s.people[2].id, await sha256Hex(catToken), ben!.id).run();
    const cat = await resolveOffer(env.DB, catToken);
    const now = Date.now();
    const results = await Promise.all([acceptOffer(env, ben!, now), acceptOffer(env, cat!, now)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(["taken"]);
    expect(await countRows("appointments", "doctor_id = ? AND start_ms = ? AND status != 'cancelled'", s.d.id, s.start)).toBe(1);
  });

  it("a patient takes themselves off the waitlist from the offer page: asked once more, then off; the next patient is asked at once", async () => {
    const s = await setup([{ name: "Ann Leaver" }, { name: "Ben Next" }], { waitlistMode: "sequential", waitlistReplyMinutes: 15 });
    await cancel(s);
    expect(twilio.messages.map((m) => m.to)).toEqual([s.people[0].e164]);
    const ann = tokenIn(twilio.messages[0].body)!;
    const form = (action: string) => offerPage(ann, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `action=${action}` });
    const entry = () => env.DB.prepare("SELECT state FROM waitlist_entries WHERE id = ?").bind(s.people[0].entry.id).first<string>("state");
    const removals = () => countRows("audit_log", "action = 'waitlist.remove' AND entity_id = ? AND actor_label = 'patient via waitlist'", s.people[0].id);
    expect(await (await offerPage(ann)).text()).toContain('value="leave">Take me off the waitlist');
    // The first tap only asks; "Keep me on it" changes nothing.
    const ask = await (await form("leave")).text();
    expect(ask).toContain("Leave the waitlist?");
    expect(ask).not.toContain("Book this time");
    expect(await entry()).toBe("waiting");
    expect(await (await form("stay")).text()).toContain("Book this time");
    expect(await entry()).toBe("waiting");
    expect(await removals()).toBe(0);
    // Confirmed: off the list, the open offer closed as declined, audited as the patient.
    expect(await (await form("leave-confirmed")).text()).toContain("you are off the waitlist at Riverside Clinic");
    expect(await entry()).toBe("removed");
    expect(await env.DB.prepare("SELECT state FROM waitlist_offers WHERE entry_id = ?").bind(s.people[0].entry.id).first<string>("state")).toBe("declined");
    expect(await removals()).toBe(1);
    await hubIdle(s.d.id);
    // One at a time mode: Ben is asked without waiting for Ann's 15 minutes.
    expect(twilio.messages.map((m) => m.to)).toEqual([s.people[0].e164, s.people[1].e164]);
    // Ann's link now says she is off the list, offers nothing, books nothing, and leaving again does nothing.
    const again = await (await offerPage(ann)).text();
    expect(again).toContain("no longer on the waitlist");
    expect(again).not.toContain("Book this time");
    expect(again).not.toContain("Take me off");
    expect(await (await accept(ann)).text()).not.toContain("Booked");
    expect(await (await form("leave-confirmed")).text()).toContain("no longer on the waitlist");
    expect(await removals()).toBe(1);
    expect(await countRows("appointments", "patient_id = ?", s.people[0].id)).toBe(0);
    // Staff see her off the list.
    const list = (await (await s.desk.get("/api/waitlist?state=all")).json<any>()).entries;
    expect(list.find((e: any) => e.id === s.people[0].entry.id)?.state).toBe("removed");
    expect((await (await s.desk.get("/api/waitlist")).json<any>()).entries.map((e: any) => e.id)).not.toContain(s.people[0].entry.id);
  });

  it("an entry for an earlier time moves the patient's later appointment (no double booking), and its old time is freed for the waitlist in turn", async () => {
    const s = await setup([]);
    const later = localToUtc(ZONE, weekdayAhead(6), "15:00");
    const p = await makePatient(s.f.clinic.id, { name: "Meg Mover", phone: `07700 ${phoneSeq++}` });
    await s.desk.put(`/api/patients/${p.id}/sms-consent`, { consent: true });
    const own = await s.desk.post("/api/appointments", { doctorId: s.d.id, patientId: p.id, start: new Date(later).toISOString(), end: new Date(later + 30 * 60_000).toISOString() });
    const mine = (await own.json<any>()).appointment;
    const base = { doctorId: s.d.id, type: "consultation", earliestDate: addDays(s.day, -1), latestDate: weekdayAhead(8), preferences: [{ days: [], from: "13:00", to: "17:00" }], channel: "sms" };
    const bad = await s.desk.post("/api/waitlist", { ...base, patientId: p.id, replacesAppointmentId: s.booked.id }); // not hers
    expect(bad.status).toBe(422);
    expect((await s.desk.post("/api/waitlist", { ...base, patientId: p.id, replacesAppointmentId: mine.id, priority: 2 })).status).toBe(201);
    await hubIdle(s.d.id);
    await cancel(s);
    const megSms = twilio.messages.find((m) => m.body.includes("/w/") && m.to.endsWith(p.phone.replace(/\D/g, "").slice(-6)))!;
    expect(await (await accept(tokenIn(megSms.body)!)).text()).toContain("Booked: your appointment");
    // The same appointment, moved: one appointment for Meg, at the freed time.
    const rows = await env.DB.prepare("SELECT id, start_ms FROM appointments WHERE patient_id = ? AND status != 'cancelled'").bind(p.id).all<any>();
    expect(rows.results).toEqual([{ id: mine.id, start_ms: s.start }]);
    const notice = await env.DB.prepare("SELECT message FROM notices WHERE kind = 'waitlist_filled' AND entity_id = ?").bind(mine.id).first<any>();
    expect(notice.message).toContain("(moved from");
    // Her old time is freed (in the move's own batch) and goes to the waitlist in turn.
    await hubIdle(s.d.id);
    const freed = await env.DB.prepare("SELECT cause FROM waitlist_slots WHERE doctor_id = ? AND start_ms = ?").bind(s.d.id, later).first<any>();
    expect(freed.cause).toBe("move");
  });

  it("an entry's later appointment that staff gave to another patient since is never moved: accepting books a new appointment instead", async () => {
    const s = await setup([]);
    const later = localToUtc(ZONE, weekdayAhead(6), "15:00");
    const p = await makePatient(s.f.clinic.id, { name: "Pat Waiting", phone: `07700 ${phoneSeq++}` });
    const q = await makePatient(s.f.clinic.id, { name: "Quin Other" });
    await s.desk.put(`/api/patients/${p.id}/sms-consent`, { consent: true });
    const own = await s.desk.post("/api/appointments", { doctorId: s.d.id, patientId: p.id, start: new Date(later).toISOString(), end: new Date(later + 30 * 60_000).toISOString() });
    const mine = (await own.json<any>()).appointment;
    const base = { doctorId: s.d.id, type: "consultation", earliestDate: addDays(s.day, -1), latestDate: weekdayAhead(8), preferences: [{ days: [], from: "13:00", to: "17:00" }], channel: "sms" };
    expect((await s.desk.post("/api/waitlist", { ...base, patientId: p.id, replacesAppointmentId: mine.id, priority: 2 })).status).toBe(201);
    // Staff give Pat's later time to Quin (a phone call, a swap at the desk).
    const given = await s.desk.patch(`/api/appointments/${mine.id}`, { version: mine.version, patientId: q.id });
    expect(given.status).toBe(200);
    await hubIdle(s.d.id);
    await cancel(s);
    const patSms = twilio.messages.find((m) => m.body.includes("/w/") && m.to.endsWith(p.phone.replace(/\D/g, "").slice(-6)))!;
    expect(await (await accept(tokenIn(patSms.body)!)).text()).toContain("Booked: your appointment");
    // Quin keeps the later time; Pat has a new appointment at the freed time.
    const quin = await env.DB.prepare("SELECT patient_id, start_ms, status FROM appointments WHERE id = ?").bind(mine.id).first<any>();
    expect(quin).toEqual({ patient_id: q.id, start_ms: later, status: "scheduled" });
    const pats = await env.DB.prepare("SELECT id, start_ms FROM appointments WHERE patient_id = ? AND status != 'cancelled'").bind(p.id).all<any>();
    expect(pats.results.map((r) => r.start_ms)).toEqual([s.start]);
    expect(pats.results[0].id).not.toBe(mine.id);
  });
});
