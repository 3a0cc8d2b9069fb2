// Busy blocks of a provider pull are stored in bulk (issue #18): a pull of N changed events costs
// a fixed number of D1 round trips and one live publish, whatever N is (it was N × 3 round trips
// and N publishes: 1.97 s for 500 CalDAV events).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { HubContext } from "../../../worker/hub/work";
import type { LiveChange } from "../../../worker/live/messages";
import type { ExternalItem } from "../../../worker/providers/provider";
import { CHUNK, dropUnseenBlocks, storeBusyItems } from "../../../worker/sync/busy-store";
import type { IntegrationSession } from "../../../worker/sync/session";
import { makeClinic } from "../../helpers";
import { countingDb } from "../d1-counter";


const HOUR = 3600_000;
const T0 = Date.UTC(2027, 1, 1);
const item = (i: number, o: Partial<ExternalItem> = {}): ExternalItem => ({
  id: `ev${i}`,
  cancelled: false,
  etag: null,
  updatedMs: null,
  appointmentId: null,
  timing: { startMs: T0 + i * 3 * HOUR, endMs: T0 + i * 3 * HOUR + HOUR, allDay: false },
  blocks: true,
  title: `Private ${i}`,
  ...o,
});

async function setup() {
  const f = await makeClinic();
  const doctorId = f.doctors[0].doctor.id;
  const integ = { id: `int-${doctorId}`, clinic_id: f.clinic.id, doctor_id: doctorId, provider: "caldav", busy_label: "none" };
  const published: LiveChange[][] = [];
  const counted = countingDb(env.DB);
  const ctx = {
    env: { ...env, DB: counted.db },
    doctorId,
    exclusive: (fn: () => Promise<unknown>) => fn(),
    publish: async (c: LiveChange) => void published.push([c]),
    publishMany: async (cs: LiveChange[]) => void (cs.length && published.push(cs)),
  } as unknown as HubContext;
  const s = { integ } as unknown as IntegrationSession;
  const spans = async () =>
    (await env.DB.prepare("SELECT external_id, start_ms, label FROM blocked_times WHERE integration_id = ? ORDER BY start_ms").bind(integ.id).all<{ external_id: string; start_ms: number; label: string }>()).results;
  return { ctx, s, published, count: counted.count, spans };
}

describe("storeBusyItems", () => {
  it("stores more than a chunk of events in two round trips and one publish, and writes nothing for unchanged ones", async () => {
    const { ctx, s, published, count, spans } = await setup();
    const n = CHUNK + 100; // two statements of each kind
    await storeBusyItems(ctx, s, "cal", Array.from({ length: n }, (_, i) => item(i)));
    expect(count.trips).toBe(2); // one read batch, one write batch
    expect(published).toHaveLength(1);
    expect(published[0]).toHaveLength(n);
    expect(published[0].every((c) => c.kind === "blocked" && c.op === "created")).toBe(true);
    const rows = await spans();
    expect(rows).toHaveLength(n);
    expect(rows[0]).toEqual({ external_id: "cal::ev0", start_ms: T0, label: "" }); // labels off: titles never stored

    // The same listing again: one read, no write, no publish.
    count.trips = 0;
    await storeBusyItems(ctx, s, "cal", Array.from({ length: n }, (_, i) => item(i)));
    expect(count.trips).toBe(1);
    expect(published).toHaveLength(1);

    // Half moved, a tenth cancelled, one no longer busy: one read, one write, one publish.
    count.trips = 0;
    const next = Array.from({ length: n }, (_, i) =>
      i % 10 === 0 ? item(i, { cancelled: true, timing: null, blocks: false }) : i === 1 ? item(i, { blocks: false }) : i % 2 ? item(i, { timing: { startMs: T0 + i * 3 * HOUR + HOUR, endMs: T0 + i * 3 * HOUR + 2 * HOUR, allDay: false } }) : item(i),
    );
    await storeBusyItems(ctx, s, "cal", next);
    expect(count.trips).toBe(2);
    expect(published).toHaveLength(2);
    const ops = published[1].reduce<Record<string, number>>((m, c) => ((m[c.op] = (m[c.op] ?? 0) + 1), m), {});
    const cancelled = Math.ceil(n / 10);
    const moved = next.filter((_, i) => i % 2 === 1 && i !== 1).length;
    expect(ops).toEqual({ deleted: cancelled + 1, updated: moved });
    const after = await spans();
    expect(after).toHaveLength(n - cancelled - 1);
    expect(after.find((r) => r.external_id === "cal::ev3")!.start_ms).toBe(T0 + 9 * HOUR + HOUR);
  });

  it("a cancelled series takes its instances with it; instances listed in the same pull are stored again", async () => {
    const { ctx, s, spans } = await setup();
    await storeBusyItems(ctx, s, "cal", [item(1, { id: "weekly_1" }), item(2, { id: "weekly_2" }), item(3, { id: "weekly_3" }), item(4, { id: "other" })]);
    expect(await spans()).toHaveLength(4);
    await storeBusyItems(ctx, s, "cal", [item(0, { id: "weekly", cancelled: true, timing: null, blocks: false }), item(2, { id: "weekly_2" })]);
    expect((await spans()).map((r) => r.external_id)).toEqual(["cal::weekly_2", "cal::other"]);
  });

  it("after a full listing drops the calendar's blocks it no longer has, in one statement and one publish", async () => {
    const { ctx, s, published, count, spans } = await setup();
    await storeBusyItems(ctx, s, "cal", Array.from({ length: 50 }, (_, i) => item(i)));
    await storeBusyItems(ctx, s, "other-cal", [item(0)]);
    count.trips = 0;
    published.length = 0;
    await dropUnseenBlocks(ctx, s, "cal", Array.from({ length: 20 }, (_, i) => item(i)));
    expect(count.trips).toBe(1);
    expect(published).toHaveLength(1);
    expect(published[0]).toHaveLength(30);
    expect(await spans()).toHaveLength(21); // 20 seen + the other calendar's one
  });
});
