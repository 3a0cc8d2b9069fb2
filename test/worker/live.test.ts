import { env, exports } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authed, makeClinic, ORIGIN } from "../helpers";

interface Client {
  ws: WebSocket;
  inbox: any[];
  /** Resolves with (and removes) the first message matching `pred`. */
  next(pred: (m: any) => boolean, ms?: number): Promise<any>;
  send(m: unknown): void;
  close(): void;
}

async function connect(headers: Record<string, string>): Promise<Client> {
  const res = await exports.default.fetch("http://localhost/api/live", { headers: { upgrade: "websocket", ...headers } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const inbox: any[] = [];
  let wake: (() => void) | null = null;
  ws.addEventListener("message", (e) => {
    inbox.push(JSON.parse(e.data as string));
    wake?.();
  });
  ws.accept();
  const next = async (pred: (m: any) => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = inbox.findIndex(pred);
      if (i >= 0) return inbox.splice(i, 1)[0];
      if (Date.now() > deadline) throw new Error(`no matching message; inbox: ${JSON.stringify(inbox)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
  };
  return { ws, inbox, next, send: (m) => ws.send(JSON.stringify(m)), close: () => ws.close(1000, "bye") };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const at = (hhmm: string) => `2026-01-05T${hhmm}:00.000Z`;

async function subscribe(c: Client, doctorIds: string[], since?: number) {
  c.send({ type: "subscribe", doctorIds, ...(since !== undefined ? { since } : {}) });
  return c.next((m) => m.type === "subscribed");
}

describe("live updates over WebSocket", () => {
  it("delivers a change made by another request to subscribers of that doctor only", async () => {
    const f = await makeClinic();
    const [d1, d2] = f.doctors;
    const c = await connect(bearer(f.tokens.doctor));
    const hello = await c.next((m) => m.type === "hello");
    expect(typeof hello.seq).toBe("number");
    await subscribe(c, [d1.doctor.id]);

    const rec = authed(f.tokens.receptionist);
    await rec.post("/api/appointments", { doctorId: d2.doctor.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") });
    const res = await rec.post("/api/appointments", { doctorId: d1.doctor.id, patientId: f.patients[1].id, start: at("09:00"), end: at("09:30") });
    const appt = (await res.json<any>()).appointment;
    const msg = await c.next((m) => m.type === "change");
    expect(msg.change).toEqual({ kind: "appointment", op: "created", doctorId: d1.doctor.id, record: appt });
    expect(msg.seq).toBeGreaterThan(hello.seq + 1); // the d2 change took a seq too, but was not sent here

    const patched = await rec.patch(`/api/appointments/${appt.id}`, { version: 1, start: at("10:00"), end: at("10:30") });
    expect(patched.status).toBe(200);
    const upd = await c.next((m) => m.type === "change");
    expect(upd.seq).toBe(msg.seq + 1);
    expect(upd.change).toMatchObject({ op: "updated", record: { id: appt.id, version: 2, start: at("10:00") } });
    const bt = await rec.post("/api/blocked-times", { doctorId: d1.doctor.id, start: at("14:00"), end: at("15:00") });
    expect((await c.next((m) => m.type === "change")).change).toMatchObject({ kind: "blocked", op: "created", record: (await bt.json<any>()).blockedTime });

    // Another clinic's socket never sees it, even when subscribed to the same doctor id.
    const other = await makeClinic();
    const o = await connect(bearer(other.tokens.admin));
    await subscribe(o, [d1.doctor.id]);
    await rec.post(`/api/appointments/${appt.id}/cancel`, { version: 2 });
    expect((await c.next((m) => m.type === "change")).change).toMatchObject({ op: "updated", record: { status: "cancelled" } });
    o.send({ type: "ping" });
    await o.next((m) => m.type === "pong");
    expect(o.inbox.filter((m) => m.type === "change")).toEqual([]);
    c.close();
    o.close();
  });

  it("replays changes made while disconnected after reconnecting with since=lastSeq", async () => {
    const f = await makeClinic();
    const d = f.doctors[0].doctor;
    const rec = authed(f.tokens.receptionist);
    const c1 = await connect(bearer(f.tokens.receptionist));
    await subscribe(c1, [d.id]);
    await rec.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") });
    const lastSeq = (await c1.next((m) => m.type === "change")).seq;
    c1.close();

    // While nobody is connected: create, then cancel.
    const a2 = (await (await rec.post("/api/appointments", { doctorId: d.id, patientId: f.patients[1].id, start: at("11:00"), end: at("11:30") })).json<any>()).appointment;
    await rec.post(`/api/appointments/${a2.id}/cancel`, { version: 1 });

    const c2 = await connect(bearer(f.tokens.receptionist));
    await c2.next((m) => m.type === "hello");
    const sub = await subscribe(c2, [d.id], lastSeq);
    const replayed = c2.inbox.filter((m) => m.type === "change");
    expect(replayed.map((m) => [m.seq, m.change.op, m.change.record.id, m.change.record.status])).toEqual([
      [lastSeq + 1, "created", a2.id, "scheduled"],
      [lastSeq + 2, "updated", a2.id, "cancelled"],
    ]);
    expect(sub.seq).toBe(lastSeq + 2);
    c2.close();
  });

  it("a notice goes to its own user's screens only, live and on replay, not to everyone watching the doctor", async () => {
    const f = await makeClinic();
    const d = f.doctors[0];
    const mine = await connect(bearer(f.tokens.doctor));
    const desk = await connect(bearer(f.tokens.receptionist));
    const seq0 = (await subscribe(desk, [d.doctor.id])).seq;
    await subscribe(mine, [d.doctor.id]);
    const hub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(d.doctor.id));
    const notice = { kind: "notice" as const, op: "created" as const, doctorId: d.doctor.id, record: { id: "n1", userId: d.user.id, message: "Alice Archer asked to move her visit" } };
    await hub.publish(d.doctor.id, notice);
    // A change everyone watching gets, after it: when it arrives the notice would have too.
    const rec = authed(f.tokens.receptionist);
    await rec.post("/api/blocked-times", { doctorId: d.doctor.id, start: at("14:00"), end: at("15:00") });
    expect((await mine.next((m) => m.type === "change")).change).toEqual(notice);
    expect((await desk.next((m) => m.type === "change")).change.kind).toBe("blocked");
    expect(desk.inbox.filter((m) => m.change?.kind === "notice")).toEqual([]);
    desk.close();
    // Replayed from the log: the same rule.
    const again = await connect(bearer(f.tokens.receptionist));
    await subscribe(again, [d.doctor.id], seq0);
    expect(again.inbox.filter((m) => m.type === "change").map((m) => m.change.kind)).toEqual(["blocked"]);
    const own = await connect(bearer(f.tokens.doctor));
    await subscribe(own, [d.doctor.id], seq0);
    expect(own.inbox.filter((m) => m.type === "change").map((m) => m.change.kind)).toEqual(["notice", "blocked"]);
    for (const c of [mine, again, own]) c.close();
  });

  it("keeps its sequence and replay log across eviction, and asks for a resync when the log no longer reaches back", async () => {
    const f = await makeClinic();
    const d = f.doctors[0].doctor;
    const rec = authed(f.tokens.receptionist);
    const c1 = await connect(bearer(f.tokens.admin));
    await subscribe(c1, [d.id]);
    await rec.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") });
    const s1 = (await c1.next((m) => m.type === "change")).seq;
    c1.close();

    const stub = env.CLINIC_LIVE.get(env.CLINIC_LIVE.idFromName(f.clinic.id));
    await evictDurableObject(stub);
    await rec.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: at("10:00"), end: at("10:30") });
    await evictDurableObject(stub);

    const c2 = await connect(bearer(f.tokens.admin));
    expect((await c2.next((m) => m.type === "hello")).seq).toBe(s1 + 1);
    await subscribe(c2, [d.id], s1);
    expect(c2.inbox.filter((m) => m.type === "change").map((m) => [m.seq, m.change.record.start])).toEqual([[s1 + 1, at("10:00")]]);
    // The live socket keeps working after another eviction (hibernation: state is in the attachment).
    await evictDurableObject(stub);
    await rec.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: at("11:00"), end: at("11:30") });
    expect((await c2.next((m) => m.type === "change" && m.seq === s1 + 2)).change.record.start).toBe(at("11:00"));

    // Simulate the log having aged out: resuming from s1 is impossible now.
    await runInDurableObject(stub, async (_i, state) => {
      state.storage.sql.exec("DELETE FROM live_log");
    });
    const c3 = await connect(bearer(f.tokens.admin));
    c3.send({ type: "subscribe", doctorIds: [d.id], since: s1 });
    await c3.next((m) => m.type === "resync");
    await c3.next((m) => m.type === "subscribed");
    expect(c3.inbox.filter((m) => m.type === "change")).toEqual([]);
    c2.close();
    c3.close();
  });

  it("a reschedule to another doctor reaches the screens of both doctors", async () => {
    const f = await makeClinic();
    const [d1, d2] = f.doctors;
    const rec = authed(f.tokens.receptionist);
    const a = (await (await rec.post("/api/appointments", { doctorId: d1.doctor.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") })).json<any>()).appointment;
    const w1 = await connect(bearer(f.tokens.receptionist));
    const w2 = await connect(bearer(f.tokens.receptionist));
    await subscribe(w1, [d1.doctor.id]);
    await subscribe(w2, [d2.doctor.id]);
    expect((await rec.patch(`/api/appointments/${a.id}`, { version: 1, doctorId: d2.doctor.id })).status).toBe(200);
    for (const w of [w1, w2]) {
      const m = await w.next((x) => x.type === "change");
      expect(m.change).toMatchObject({ kind: "appointment", op: "updated", record: { id: a.id, doctorId: d2.doctor.id, version: 2 } });
    }
    w1.close();
    w2.close();
  });

  it("trims the replay log to the last LOG_MAX changes", async () => {
    const { LOG_MAX } = await import("../../worker/live/clinic-live");
    const f = await makeClinic();
    const d = f.doctors[0].doctor.id;
    const stub = env.CLINIC_LIVE.get(env.CLINIC_LIVE.idFromName(f.clinic.id));
    const total = LOG_MAX + 100;
    const kept = await runInDurableObject(stub, async (live) => {
      for (let i = 0; i < total; i++) await live.publish({ kind: "blocked", op: "created", doctorId: d, record: { i } });
      return (live as any).sql.exec("SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM live_log").toArray()[0];
    });
    expect(kept.hi).toBe(total);
    expect(kept.n).toBeLessThanOrEqual(LOG_MAX);
    expect(kept.lo).toBeGreaterThan(total - LOG_MAX - 1);
    const c = await connect(bearer(f.tokens.admin));
    await subscribe(c, [d], 10);
    expect(c.inbox.some((m) => m.type === "resync")).toBe(true);
    const c2 = await connect(bearer(f.tokens.admin));
    await subscribe(c2, [d], total - 3);
    expect(c2.inbox.filter((m) => m.type === "change").map((m) => m.change.record.i)).toEqual([total - 3, total - 2, total - 1]);
    c.close();
    c2.close();
  });

  it("refuses plain HTTP, missing sessions, cross-site cookie upgrades and bad messages", async () => {
    const f = await makeClinic();
    const plain = await exports.default.fetch("http://localhost/api/live", { headers: bearer(f.tokens.admin) });
    expect(plain.status).toBe(426);
    expect((await plain.json<any>()).error.code).toBe("upgrade_required");
    const anon = await exports.default.fetch("http://localhost/api/live", { headers: { upgrade: "websocket" } });
    expect(anon.status).toBe(401);
    const cookie = `acms_session=${f.tokens.admin}`;
    const evil = await exports.default.fetch("http://localhost/api/live", { headers: { upgrade: "websocket", cookie, origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
    const good = await connect({ cookie, origin: ORIGIN });
    await good.next((m) => m.type === "hello");
    good.send({ type: "subscribe", doctorIds: ["not-an-id"] });
    expect((await good.next((m) => m.type === "error")).error.code).toBe("bad_message");
    good.ws.send("{oops");
    await good.next((m) => m.type === "error");
    good.close();
  });
});
