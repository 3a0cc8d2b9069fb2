// The optional busy label (issue 5): imported Google events are busy time only, plus
// their title when — and only while — the doctor allows it. End to end in workerd
// against the Google emulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { authed, json } from "../../helpers";
import { at, connectDoctor, DAY, emu, env, settle, type Connected } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

const blockRows = (doctorId: string) =>
  env.DB.prepare("SELECT * FROM blocked_times WHERE doctor_id = ? AND source = 'google' ORDER BY start_ms").bind(doctorId).all<any>().then((r) => r.results);
/** What every screen reads: the blocked-times API. */
async function apiLabels(c: Connected) {
  const res = await c.doctor.get(`/api/blocked-times?from=${at("00:00")}&to=${at("23:59")}&doctorId=${c.doctorId}`);
  expect(res.status).toBe(200);
  return (await json(res)).blockedTimes.filter((b: any) => b.source === "google").map((b: any) => [b.start, b.label]);
}
const setLabel = (c: Connected, busyLabel: unknown, as = c.doctor) => as.patch(`/api/integrations/${c.integrationId}`, { busyLabel });

const SECRET_DETAILS = {
  description: "Divorce lawyer, bring papers",
  location: "17 Secret Lane",
  attendees: [{ email: "lawyer@firm.example" }],
};

describe("busy label on imported Google events", () => {
  it("default none → busy only; title → the trimmed summary; back to none → cleared at once and stays cleared", async () => {
    const c = await connectDoctor();
    expect((await json(await c.doctor.get("/api/integrations"))).integrations[0].busyLabel).toBe("none");
    emu.userInsert(c.email, { summary: "  Lunch \t with   Mia ", ...SECRET_DETAILS, start: { dateTime: at("12:00") }, end: { dateTime: at("13:00") } });
    emu.userInsert(c.email, { summary: "L".repeat(200), start: { dateTime: at("16:00") }, end: { dateTime: at("17:00") } });
    await settle(c.doctorId);
    expect(await apiLabels(c)).toEqual([
      [at("12:00"), ""],
      [at("16:00"), ""],
    ]);

    // The doctor allows titles: existing blocks get theirs on the next sync.
    const on = await setLabel(c, "title");
    expect(on.status).toBe(200);
    expect((await json(on)).integration.busyLabel).toBe("title");
    await settle(c.doctorId);
    expect(await apiLabels(c)).toEqual([
      [at("12:00"), "Lunch with Mia"],
      [at("16:00"), "L".repeat(80)],
    ]);
    // New and renamed events follow the setting too.
    const run = emu.userInsert(c.email, { summary: "School run", start: { dateTime: at("08:00") }, end: { dateTime: at("08:30") } });
    await settle(c.doctorId);
    emu.userPatch(c.email, run.id, { summary: "School run (Mia)" });
    await settle(c.doctorId);
    expect((await apiLabels(c))[0]).toEqual([at("08:00"), "School run (Mia)"]);
    // Never more than the title: no description, location or attendee reaches ACMS.
    const stored = JSON.stringify(await blockRows(c.doctorId));
    for (const s of ["Divorce", "Secret Lane", "lawyer@firm"]) expect(stored).not.toContain(s);
    expect(JSON.stringify(await json(await c.doctor.get("/api/integrations")))).not.toContain("Secret Lane");

    // Permission withdrawn: labels are gone as soon as the PATCH answers, before any sync.
    const off = await setLabel(c, "none");
    expect(off.status).toBe(200);
    expect((await blockRows(c.doctorId)).map((b: any) => b.label)).toEqual(["", "", ""]);
    await settle(c.doctorId);
    expect(await apiLabels(c)).toEqual([
      [at("08:00"), ""],
      [at("12:00"), ""],
      [at("16:00"), ""],
    ]);
    // ...and later changes in Google do not bring them back.
    emu.userPatch(c.email, run.id, { summary: "School run again" });
    await settle(c.doctorId);
    expect((await blockRows(c.doctorId)).every((b: any) => b.label === "")).toBe(true);
    const audit = await env.DB.prepare("SELECT summary FROM audit_log WHERE entity_id = ? AND action = 'integration.update' ORDER BY id").bind(c.integrationId).all<any>();
    expect(audit.results.map((r: any) => JSON.parse(r.summary).busyLabel)).toEqual(["title", "none"]);
  });

  it("a label change mid-run (listing in flight) still ends with the setting in force", async () => {
    const c = await connectDoctor();
    await setLabel(c, "title");
    await settle(c.doctorId);
    // A listing is held in Google while the doctor withdraws permission.
    let release!: () => void;
    emu.hold = new Promise((r) => (release = r));
    emu.userInsert(c.email, { summary: "Dentist", start: { dateTime: at("10:00") }, end: { dateTime: at("11:00") } });
    await emu.settle();
    expect((await setLabel(c, "none")).status).toBe(200);
    emu.hold = null;
    release();
    await settle(c.doctorId);
    const rows = await blockRows(c.doctorId);
    expect(rows.map((b: any) => [new Date(b.start_ms).toISOString(), b.label])).toEqual([[at("10:00"), ""]]);
  });

  it("a live message carries the label change to open screens", async () => {
    const c = await connectDoctor();
    emu.userInsert(c.email, { summary: "Gym", start: { dateTime: at("07:00") }, end: { dateTime: at("08:00") } });
    await settle(c.doctorId);
    const { worker } = await import("../../fakes/google/router");
    const res = await worker.fetch(new Request("http://localhost/api/live", { headers: { upgrade: "websocket", authorization: `Bearer ${c.f.tokens.receptionist}` } }));
    const ws = res.webSocket!;
    const inbox: any[] = [];
    ws.addEventListener("message", (e) => inbox.push(JSON.parse(e.data as string)));
    ws.accept();
    ws.send(JSON.stringify({ type: "subscribe", doctorIds: [c.doctorId] }));
    const next = async (pred: (m: any) => boolean) => {
      for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
        const i = inbox.findIndex(pred);
        if (i >= 0) return inbox.splice(i, 1)[0];
      }
      throw new Error(`no matching live message: ${JSON.stringify(inbox)}`);
    };
    await next((m) => m.type === "subscribed");
    await setLabel(c, "title");
    expect((await next((m) => m.type === "change" && m.change.kind === "blocked")).change).toMatchObject({ op: "updated", record: { label: "Gym" } });
    await settle(c.doctorId);
    await setLabel(c, "none");
    expect((await next((m) => m.type === "change" && m.change.kind === "blocked")).change).toMatchObject({ op: "updated", record: { label: "" } });
    ws.close(1000, "done");
  });

  it("only the doctor who connected can change it: admin 403, receptionist and other doctors 404; bad input 422, nothing written", async () => {
    const c = await connectDoctor();
    const label = async () => (await env.DB.prepare("SELECT busy_label FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>()).busy_label;
    expect((await setLabel(c, "title", authed(c.f.tokens.admin))).status).toBe(403);
    expect((await setLabel(c, "title", authed(c.f.tokens.receptionist))).status).toBe(404);
    expect((await setLabel(c, "title", authed(c.f.doctors[1].token))).status).toBe(404);
    for (const bad of ["description", "TITLE", "", 1, null]) {
      const res = await setLabel(c, bad);
      expect(res.status).toBe(422);
      expect((await json(res)).error.code).toBe("validation_failed");
    }
    const extra = await c.doctor.patch(`/api/integrations/${c.integrationId}`, { busyLabel: "title", busyDetails: "all" });
    expect(extra.status).toBe(422);
    expect(await label()).toBe("none");
    // Receptionists see status only, without the setting.
    const rec = (await json(await authed(c.f.tokens.receptionist).get("/api/integrations"))).integrations;
    expect(rec.every((i: any) => !("busyLabel" in i))).toBe(true);
    // The admin API shows it.
    const adm = (await json(await authed(c.f.tokens.admin).get("/api/admin/integrations"))).integrations;
    expect(adm.find((i: any) => i.id === c.integrationId).busyLabel).toBe("none");
  });
});
