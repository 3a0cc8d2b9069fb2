// A feed rebuilt from the hub's last build reads only the changed appointments (issue #18) and
// must give exactly the bytes a full read gives: after every kind of change (book, move, cancel,
// rebook the freed time — a tie on the start —, delete, move to another doctor, out of the
// window) a full build right after it finds nothing to change.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createAppointment, deleteAppointment, updateAppointment, type Caller } from "../../../worker/appointments/write";
import { buildFeed, type FeedMemory } from "../../../worker/ics/feed-store";
import { type FeedEntry, FULL_EVERY_MS, mergeChanged, type FeedSnapshot } from "../../../worker/ics/feed-delta";
import type { IcsAppointment } from "../../../worker/ics/render";
import { changedEntriesStatement, feedEntriesStatement, type FeedEntryRow, feedEntryRowOf } from "../../../worker/ics/data";
import { makeClinic } from "../../helpers";
import { countingDb } from "../d1-counter";

const entry = (id: string, startMs: number, rid: number): FeedEntry => ({ a: { id, startMs } as IcsAppointment, rid });
const ids = (es: FeedEntry[]) => es.map((e) => e.a.id).join(",");

describe("mergeChanged", () => {
  const base = [entry("a", 10, 1), entry("b", 20, 2), entry("c", 30, 3)];
  it.each([
    ["a new event between two", ["x"], [entry("x", 25, 9)], "a,b,x,c"],
    ["a moved event", ["a"], [entry("a", 35, 1)], "b,c,a"],
    ["a removed event (no row: deleted, moved away, out of the window)", ["b"], [], "a,c"],
    ["a tie on the start goes by rowid", ["x", "y"], [entry("y", 20, 1), entry("x", 20, 5)], "a,y,b,x,c"],
    ["a row not named as changed is ignored", ["b"], [entry("b", 20, 2), entry("z", 1, 7)], "a,b,c"],
    ["several at once", ["a", "c", "x"], [entry("c", 5, 3), entry("x", 40, 8)], "c,b,x"],
  ])("%s", (_name, changed, rows, want) => {
    expect(ids(mergeChanged(base, new Set(changed), rows))).toBe(want);
  });
});

const DAY = 86_400_000;

describe("a feed built from the hub's last build", () => {
  it("reads only the changed rows, in one round trip with the doctor's row, and stores the bytes a full read gives", async () => {
    const f = await makeClinic({ doctors: 2, patients: 3 });
    const [d, other] = [f.doctors[0].doctor, f.doctors[1].doctor];
    await env.DB.prepare("UPDATE doctors SET feed_enabled = 1, feed_token_hash = ?, feed_privacy = 'minimal' WHERE id = ?").bind("f".repeat(64), d.id).run();
    const admin: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
    const day = Math.floor(Date.now() / DAY) * DAY;
    const at = (days: number, hour: number) => day + days * DAY + hour * 3600_000;
    const book = async (startMs: number, patient = 0) => {
      const r = await createAppointment(env, admin, { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[patient].id, startMs, endMs: startMs + 1_800_000, allowOutsideHours: true }, { origin: "acms" });
      if (!r.ok) throw new Error(r.error.message);
      return r.appointment;
    };
    const update = async (a: { id: string; version: number }, patch: Record<string, unknown>) => {
      const r = await updateAppointment(env, admin, f.clinic.id, a.id, { version: a.version, allowOutsideHours: true, ...patch }, { origin: "acms" });
      if (!r.ok) throw new Error(r.error.message);
      return r.appointment;
    };

    let snapshot: FeedSnapshot | null = (await buildFeed(env, d.id)).snapshot;
    expect(snapshot?.entries).toHaveLength(0);
    /** A delta build for `changed`, then a full build that must find the same bytes. */
    const step = async (changed: string[]) => {
      const { db, count } = countingDb(env.DB);
      const memory: FeedMemory = { snapshot, changed: new Set(changed) };
      const delta = await buildFeed({ ...env, DB: db }, d.id, Date.now(), undefined, memory);
      expect(["built", "unchanged"]).toContain(delta.outcome);
      expect(count.trips).toBeLessThanOrEqual(2); // the doctor's row + the changed rows, then the stored body
      expect(delta.snapshot?.fullAt).toBe(snapshot!.fullAt); // no full read was made
      const full = await buildFeed(env, d.id);
      expect(full.outcome).toBe("unchanged");
      expect(ids(delta.snapshot!.entries)).toBe(ids(full.snapshot!.entries));
      snapshot = delta.snapshot;
      return ids(snapshot!.entries);
    };

    const a = await book(at(2, 9));
    const b = await book(at(2, 10), 1);
    const c = await book(at(3, 9), 2);
    expect(await step([a.id, b.id, c.id])).toBe([a.id, b.id, c.id].join(","));

    const b2 = await update(b, { startMs: at(4, 9), endMs: at(4, 9) + 1_800_000 });
    expect(await step([b.id])).toBe([a.id, c.id, b.id].join(","));

    // Cancelled, then the freed time booked again: two events with the same start, in rowid order.
    await update(a, { status: "cancelled" });
    const a2 = await book(at(2, 9), 1);
    expect(await step([a.id, a2.id])).toBe([a.id, a2.id, c.id, b.id].join(","));

    const del = await deleteAppointment(env, admin, f.clinic.id, c.id, c.version, { origin: "acms" });
    expect(del.ok).toBe(true);
    await update(b2, { doctorId: other.id });
    expect(await step([c.id, b.id])).toBe([a.id, a2.id].join(","));

    // Moved past the window's end (365 days ahead): it leaves the feed.
    await update(a2, { startMs: at(400, 9), endMs: at(400, 9) + 1_800_000 });
    expect(await step([a2.id])).toBe(a.id);
  });

  it("reads the changed rows by primary key: rows read grow with the changes, not with the table", async () => {
    const f = await makeClinic({ doctors: 1, patients: 1 });
    const d = f.doctors[0].doctor;
    const admin: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
    const day = Math.floor(Date.now() / DAY) * DAY;
    const made: string[] = [];
    for (let i = 0; i < 60; i++) {
      const startMs = day + (i + 1) * 3600_000 * 5;
      const r = await createAppointment(env, admin, { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[0].id, startMs, endMs: startMs + 1_800_000, allowOutsideHours: true }, { origin: "acms" });
      if (r.ok) made.push(r.appointment.id);
    }
    expect(made).toHaveLength(60);
    const window = { clinicId: f.clinic.id, doctorId: d.id, fromMs: day - DAY, toMs: day + 365 * DAY };
    const r = await changedEntriesStatement(env.DB, window, made.slice(0, 2)).all();
    expect(r.results).toHaveLength(2);
    expect(r.meta.rows_read).toBeLessThanOrEqual(4);
    // The row as the merge reads it: the rowid is there (equal starts are ordered by it).
    const row = feedEntryRowOf(r.results[0] as Record<string, unknown>);
    expect(row[0]).toBe(made[0]);
    expect(typeof row[10]).toBe("number");
    const full = await feedEntriesStatement(env.DB, window).raw<FeedEntryRow>();
    expect(full.map((x) => x[0])).toEqual(made);
    expect(full[0]).toEqual(row);
  });

  it("reads in full when it has no snapshot, when the changes are not known, and once the snapshot is FULL_EVERY_MS old", async () => {
    const f = await makeClinic();
    const d = f.doctors[0].doctor;
    await env.DB.prepare("UPDATE doctors SET feed_enabled = 1, feed_token_hash = ? WHERE id = ?").bind("e".repeat(64), d.id).run();
    const now = Date.now();
    const first = await buildFeed(env, d.id, now);
    expect(first.snapshot?.fullAt).toBe(now);
    const later = now + 1000;
    expect((await buildFeed(env, d.id, later, undefined, { snapshot: first.snapshot, changed: new Set(["x".repeat(32)]) })).snapshot?.fullAt).toBe(now);
    expect((await buildFeed(env, d.id, later, undefined, { snapshot: first.snapshot, changed: null })).snapshot?.fullAt).toBe(later);
    const stale = now + FULL_EVERY_MS;
    // (the same day: the shape holds unless the test runs across midnight UTC, which also reads in full)
    expect((await buildFeed(env, d.id, stale, undefined, { snapshot: first.snapshot, changed: new Set(["x".repeat(32)]) })).snapshot?.fullAt).toBe(stale);
  });
});
