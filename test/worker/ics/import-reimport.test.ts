// Re-importing an updated calendar updates what changed: a moved occurrence moves
// its block (same row), a cancelled / excluded / deleted one frees it, a changed
// event is updated, and nothing of another calendar is touched.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { importKey, planImport, type KnownImport } from "../../../worker/ics/import-plan";
import { authed, countRows, makeClinic } from "../../helpers";

const WINDOW = "from=2027-01-01T00:00:00Z&to=2027-12-31T00:00:00Z";
const cal = (name: string | null, ...events: string[]) =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", ...(name ? [`X-WR-CALNAME:${name}`] : []), ...events, "END:VCALENDAR", ""].join("\r\n");
const ev = (uid: string, ...lines: string[]) => ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20270101T000000Z", ...lines, "END:VEVENT"].join("\r\n");

const SERIES = ["DTSTART;TZID=Europe/Berlin:20270301T090000", "DTEND;TZID=Europe/Berlin:20270301T100000", "RRULE:FREQ=WEEKLY;COUNT=4", "SUMMARY:Ward round"];
const V1 = cal(
  "Dr. Work",
  ev("series@test", ...SERIES),
  ev("a@test", "DTSTART:20270310T120000Z", "DTEND:20270310T130000Z", "SUMMARY:Board"),
  ev("b@test", "DTSTART:20270311T120000Z", "DTEND:20270311T130000Z", "SUMMARY:Lunch talk"),
);
// v2: the 8 March occurrence moved to 14:00, the 15 March one cancelled, the 22 March one
// excluded, event A one hour later, event B deleted.
const V2 = cal(
  "Dr. Work",
  ev("series@test", ...SERIES, "EXDATE;TZID=Europe/Berlin:20270322T090000"),
  ev("series@test", "RECURRENCE-ID;TZID=Europe/Berlin:20270308T090000", "DTSTART;TZID=Europe/Berlin:20270308T140000", "DTEND;TZID=Europe/Berlin:20270308T150000", "SUMMARY:Ward round"),
  ev("series@test", "RECURRENCE-ID;TZID=Europe/Berlin:20270315T090000", "DTSTART;TZID=Europe/Berlin:20270315T090000", "DTEND;TZID=Europe/Berlin:20270315T100000", "STATUS:CANCELLED"),
  ev("a@test", "DTSTART:20270310T130000Z", "DTEND:20270310T140000Z", "SUMMARY:Board"),
);

function upload(token: string, doctorId: string, body: string, query = WINDOW, ct = "text/calendar") {
  return authed(token)(`/api/doctors/${doctorId}/import/ics?${query}`, { method: "POST", body, headers: { "content-type": ct } });
}

const blocks = async (doctorId: string) =>
  (await env.DB.prepare("SELECT id, start_ms, end_ms, label FROM blocked_times WHERE doctor_id = ? ORDER BY start_ms").bind(doctorId).all<any>()).results.map((r) => ({
    id: r.id as string,
    start: new Date(r.start_ms).toISOString(),
    end: new Date(r.end_ms).toISOString(),
  }));

describe("re-import of an updated calendar (blocked time)", () => {
  it("previews update and remove next to skip, then moves, frees and keeps blocks in one commit; a third import changes nothing", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    expect((await upload(d.token, d.doctor.id, V1)).status).toBe(201);
    const before = await blocks(d.doctor.id);
    expect(before.map((b) => b.start)).toEqual([
      "2027-03-01T08:00:00.000Z",
      "2027-03-08T08:00:00.000Z",
      "2027-03-10T12:00:00.000Z",
      "2027-03-11T12:00:00.000Z",
      "2027-03-15T08:00:00.000Z",
      "2027-03-22T08:00:00.000Z",
    ]);
    const idAt = (start: string) => before.find((b) => b.start === start)!.id;

    const preview = await (await upload(d.token, d.doctor.id, V2, `${WINDOW}&preview=1`)).json<any>();
    expect(preview.source).toEqual({ kind: "calendar" });
    expect(preview.counts).toMatchObject({ create: 0, update: 2, remove: 3 });
    const plan = preview.items.map((i: any) => [i.action, i.uid, i.start, i.reason ?? i.previous?.start ?? null]).sort();
    expect(plan).toEqual(
      [
        ["skip", "series@test", "2027-03-01T08:00:00.000Z", "already_imported"],
        ["update", "series@test", "2027-03-08T13:00:00.000Z", "2027-03-08T08:00:00.000Z"],
        ["remove", "series@test", "2027-03-15T08:00:00.000Z", null], // cancelled at the source
        ["remove", "series@test", "2027-03-22T08:00:00.000Z", null], // EXDATE
        ["update", "a@test", "2027-03-10T13:00:00.000Z", "2027-03-10T12:00:00.000Z"],
        ["remove", "b@test", "2027-03-11T12:00:00.000Z", null], // deleted from the calendar
      ].sort(),
    );
    expect(await blocks(d.doctor.id)).toEqual(before); // a preview writes nothing

    const res = await upload(d.token, d.doctor.id, V2);
    expect(res.status).toBe(201);
    expect(await res.json<any>()).toMatchObject({ created: 0, updated: 2, removed: 3 });
    const after = await blocks(d.doctor.id);
    expect(after).toEqual([
      { id: idAt("2027-03-01T08:00:00.000Z"), start: "2027-03-01T08:00:00.000Z", end: "2027-03-01T09:00:00.000Z" },
      { id: idAt("2027-03-10T12:00:00.000Z"), start: "2027-03-10T13:00:00.000Z", end: "2027-03-10T14:00:00.000Z" }, // same row, moved
      { id: idAt("2027-03-08T08:00:00.000Z"), start: "2027-03-08T13:00:00.000Z", end: "2027-03-08T14:00:00.000Z" }, // same row, moved
    ].sort((a, b) => a.start.localeCompare(b.start)));
    expect(await countRows("imported_events", "doctor_id = ?", d.doctor.id)).toBe(3);
    const audit = await env.DB.prepare("SELECT summary FROM audit_log WHERE entity_id = ? AND action = 'ics.import' ORDER BY id DESC").bind(d.doctor.id).first<any>();
    expect(JSON.parse(audit.summary)).toMatchObject({ mode: "blocked", created: 0, updated: 2, removed: 3 });

    const third = await (await upload(d.token, d.doctor.id, V2)).json<any>();
    expect(third).toMatchObject({ created: 0, updated: 0, removed: 0 });
    expect(await blocks(d.doctor.id)).toEqual(after);
  });

  it("does not move back a block that staff moved, while the file is unchanged; moves it when the file changes", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    expect((await upload(d.token, d.doctor.id, V1)).status).toBe(201);
    const a = Date.parse("2027-03-10T12:00:00Z");
    await env.DB.prepare("UPDATE blocked_times SET start_ms = start_ms + 7200000, end_ms = end_ms + 7200000 WHERE doctor_id = ? AND start_ms = ?").bind(d.doctor.id, a).run();
    const same = await (await upload(d.token, d.doctor.id, V1)).json<any>();
    expect(same).toMatchObject({ created: 0, updated: 0, removed: 0 });
    expect(await countRows("blocked_times", "doctor_id = ? AND start_ms = ?", d.doctor.id, a + 7200_000)).toBe(1);
    const moved = await (await upload(d.token, d.doctor.id, V1.replace("DTSTART:20270310T120000Z\r\nDTEND:20270310T130000Z", "DTSTART:20270310T150000Z\r\nDTEND:20270310T160000Z"))).json<any>();
    expect(moved).toMatchObject({ created: 0, updated: 1, removed: 0 });
    expect(await countRows("blocked_times", "doctor_id = ? AND start_ms = ?", d.doctor.id, Date.parse("2027-03-10T15:00:00Z"))).toBe(1);
  });

  it("never touches another calendar's blocks, nor events it cannot read, and does not resurrect a block deleted here", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    const OTHER = cal("Holidays", ev("h@test", "DTSTART;VALUE=DATE:20270405", "DTEND;VALUE=DATE:20270406", "SUMMARY:Easter Monday"));
    expect((await upload(d.token, d.doctor.id, V1)).status).toBe(201);
    expect((await upload(d.token, d.doctor.id, OTHER)).status).toBe(201);
    // Staff delete the 1 March block by hand.
    await env.DB.prepare("DELETE FROM blocked_times WHERE doctor_id = ? AND start_ms = ?").bind(d.doctor.id, Date.parse("2027-03-01T08:00:00Z")).run();
    // A version of V1 where event A now has an impossible date: it is reported, and its block stays.
    const broken = V1.replace("DTSTART:20270310T120000Z", "DTSTART:20270230T120000Z");
    const p = await (await upload(d.token, d.doctor.id, broken, `${WINDOW}&preview=1`)).json<any>();
    expect(p.refused.map((x: any) => x.uid)).toEqual(["a@test"]);
    expect(p.counts).toMatchObject({ create: 0, update: 0, remove: 0 });
    expect(p.items.find((i: any) => i.start === "2027-03-01T08:00:00.000Z")).toMatchObject({ action: "skip", reason: "already_imported" });
    // Committing it is refused whole: the block of the unreadable event and every other block stay.
    const refused = await upload(d.token, d.doctor.id, broken);
    expect(refused.status).toBe(422);
    expect((await refused.json<any>()).error.code).toBe("events_refused");
    expect(await countRows("blocked_times", "doctor_id = ? AND start_ms = ?", d.doctor.id, Date.parse("2027-03-10T12:00:00Z"))).toBe(1);

    // V2 of the work calendar: the holiday (other calendar) is kept.
    const r = await (await upload(d.token, d.doctor.id, V2)).json<any>();
    expect(r.removed).toBe(3);
    expect(await countRows("blocked_times", "doctor_id = ? AND all_day = 1", d.doctor.id)).toBe(1);
    expect(await countRows("blocked_times", "doctor_id = ? AND start_ms = ?", d.doctor.id, Date.parse("2027-03-01T08:00:00Z"))).toBe(0);
  });

  it("without a known source removes only occurrences of events still in the file; ?source= names an upload", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    const anon = (s: string) => s.replace("X-WR-CALNAME:Dr. Work\r\n", "");
    expect((await upload(d.token, d.doctor.id, anon(V1))).status).toBe(201);
    const p = await (await upload(d.token, d.doctor.id, anon(V2), `${WINDOW}&preview=1`)).json<any>();
    expect(p.source).toEqual({ kind: "none" });
    // b@test is gone from the file, but an unnamed upload may be another calendar: kept.
    expect(p.items.filter((i: any) => i.action === "remove").map((i: any) => i.uid)).toEqual(["series@test", "series@test"]);

    const g = await makeClinic({ timeZone: "Europe/Berlin" });
    const e = g.doctors[0];
    expect((await upload(e.token, e.doctor.id, anon(V1), `${WINDOW}&source=work`)).status).toBe(201);
    const q = await (await upload(e.token, e.doctor.id, anon(V2), `${WINDOW}&source=work&preview=1`)).json<any>();
    expect(q.source).toEqual({ kind: "named" });
    expect(q.items.filter((i: any) => i.action === "remove").map((i: any) => i.uid).sort()).toEqual(["b@test", "series@test", "series@test"]);
    const other = await (await upload(e.token, e.doctor.id, anon(V2), `${WINDOW}&source=private&preview=1`)).json<any>();
    expect(other.items.filter((i: any) => i.action === "remove").map((i: any) => i.uid)).toEqual(["series@test", "series@test"]);
  });
});

describe("re-import in appointment mode", () => {
  it("moves the imported appointment (same id, new version) and cancels removed ones, without invites", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin", patients: [{ email: "imp@mail.example" }] });
    const d = f.doctors[0];
    const q = `${WINDOW}&mode=appointments&patientId=${f.patients[0].id}`;
    const one = (start: string, end: string) => cal("Dr. Work", ev("x@test", `DTSTART:${start}`, `DTEND:${end}`), ev("y@test", "DTSTART:20270302T100000Z", "DTEND:20270302T103000Z"));
    const first = await (await upload(f.tokens.receptionist, d.doctor.id, one("20270301T100000Z", "20270301T103000Z"), q)).json<any>();
    expect(first.created).toBe(2);
    const rows = async () => (await env.DB.prepare("SELECT id, start_ms, status, version FROM appointments WHERE doctor_id = ? ORDER BY id").bind(d.doctor.id).all<any>()).results;
    const before = await rows();
    // 14:00 in Berlin: inside the doctor's working hours (a receptionist may not import outside them).
    const moved = cal("Dr. Work", ev("x@test", "DTSTART:20270301T130000Z", "DTEND:20270301T133000Z"));
    const r = await (await upload(f.tokens.receptionist, d.doctor.id, moved, q)).json<any>();
    expect(r).toMatchObject({ created: 0, updated: 1, removed: 1, failed: [] });
    const after = await rows();
    expect(after.map((a: any) => a.id)).toEqual(before.map((a: any) => a.id));
    const x = after.find((a: any) => a.start_ms === Date.parse("2027-03-01T13:00:00Z"));
    expect(x).toMatchObject({ status: "scheduled", version: 2 });
    expect(after.filter((a: any) => a.status === "cancelled")).toHaveLength(1);
    expect(await countRows("email_outbox", "to_address = ?", "imp@mail.example")).toBe(0);
  });
});

describe("planImport (pure)", () => {
  const occ = (uid: string, rid: string, s: number, e: number, extra: Partial<{ cancelled: boolean; free: boolean; summary: string }> = {}) => ({
    uid,
    recurrenceId: rid,
    summary: extra.summary ?? "",
    startMs: s,
    endMs: e,
    allDay: false,
    cancelled: !!extra.cancelled,
    free: !!extra.free,
  });
  const known = (uid: string, rid: string, s: number, e: number, over: Partial<KnownImport> = {}): [string, KnownImport] => [
    importKey(uid, rid),
    { uid, recurrenceId: rid, entityType: "blocked_time", entityId: `id-${uid}-${rid}`, source: "", current: { startMs: s, endMs: e, allDay: false, label: "Busy (imported)", active: true, version: 0 }, ...over },
  ];
  const ctx = (k: [string, KnownImport][], over = {}) => ({
    mode: "blocked" as const,
    known: new Map(k),
    appointments: [],
    blocks: [],
    maxAppointmentMs: 12 * 3600_000,
    labelOf: (s: string) => s || "Busy (imported)",
    window: { fromMs: 0, toMs: 1000 },
    ...over,
  });
  it.each([
    ["new", [occ("u", "", 10, 20)], [], ["create"]],
    ["moved here by staff, file unchanged", [occ("u", "", 10, 20)], [known("u", "", 30, 40, { last: { startMs: 10, endMs: 20 } })], ["skip:already_imported"]],
    ["moved here by staff, file moved too", [occ("u", "", 15, 25)], [known("u", "", 30, 40, { last: { startMs: 10, endMs: 20 } })], ["update"]],
    ["row from before 0005 (no last), file differs from the block", [occ("u", "", 15, 25)], [known("u", "", 10, 20, { last: null })], ["update"]],
    ["same", [occ("u", "", 10, 20)], [known("u", "", 10, 20)], ["skip:already_imported"]],
    ["moved", [occ("u", "", 30, 40)], [known("u", "", 10, 20)], ["update"]],
    ["relabelled", [occ("u", "", 10, 20, { summary: "New" })], [known("u", "", 10, 20)], ["update"]],
    ["cancelled at source", [occ("u", "", 10, 20, { cancelled: true })], [known("u", "", 10, 20)], ["remove"]],
    ["free at source", [occ("u", "", 10, 20, { free: true })], [known("u", "", 10, 20)], ["remove"]],
    ["deleted here", [occ("u", "", 30, 40)], [known("u", "", 10, 20, { current: null })], ["skip:already_imported"]],
    ["occurrence gone, UID in file", [occ("u", "a", 10, 20)], [known("u", "a", 10, 20), known("u", "b", 50, 60)], ["skip:already_imported", "remove"]],
    ["event gone, unknown source", [occ("u", "", 10, 20)], [known("u", "", 10, 20), known("v", "", 50, 60)], ["skip:already_imported"]],
    ["event gone, same source", [occ("u", "", 10, 20)], [known("u", "", 10, 20, { source: "S" }), known("v", "", 50, 60, { source: "S" })], ["skip:already_imported", "remove"]],
    ["event gone, other source", [occ("u", "", 10, 20)], [known("v", "", 50, 60, { source: "T" })], ["create"]],
    ["gone but outside the window", [], [known("u", "b", 5000, 6000, { source: "S" })], []],
    ["other mode's row", [occ("u", "", 10, 20)], [known("u", "", 10, 20, { entityType: "appointment" })], ["skip:already_imported"]],
  ])("%s", (_name, occurrences, k, want) => {
    const label = (i: { action: string; reason?: string }) => (i.reason ? `${i.action}:${i.reason}` : i.action);
    const items = planImport({ occurrences, outOfWindow: [] }, ctx(k, { source: "S" }));
    expect(items.map(label)).toEqual(want);
  });
  it("an event the parser refused keeps its rows", () => {
    const items = planImport({ occurrences: [], outOfWindow: [], failed: [{ uid: "v" }] }, ctx([known("v", "", 50, 60, { source: "S" })], { source: "S" }));
    expect(items).toEqual([]);
  });
});
