// A feed poll is one D1 statement (issue #18): the lookup returns when a poll was last recorded,
// and the "feeds polled in the last week" KPI gets a second statement (a primary-key UPDATE after
// the answer) only when the last record is an hour old.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { serveFeed } from "../../../worker/ics/feed";
import { authed, makeClinic } from "../../helpers";
import { countingDb } from "../d1-counter";

async function poll(token: string) {
  const { db, count } = countingDb(env.DB);
  const later: Promise<unknown>[] = [];
  const res = await serveFeed(new Request(`http://localhost/feeds/${token}.ics`), token, { env: { ...env, DB: db }, waitUntil: (p) => later.push(p) });
  await res.arrayBuffer();
  await Promise.all(later);
  return { status: res.status, trips: count.trips };
}

const polledAt = (doctorId: string) => env.DB.prepare("SELECT feed_polled_at FROM doctors WHERE id = ?").bind(doctorId).first<number | null>("feed_polled_at");

describe("feed poll statements", () => {
  it("records the first poll, then polls are one statement until the record is an hour old", async () => {
    const f = await makeClinic({ doctors: 1 });
    const d = f.doctors[0];
    const created = await (await authed(d.token).post(`/api/doctors/${d.doctor.id}/feed`, {})).json<any>();
    const token = new URL(created.feed.url).pathname.split("/").at(-1)!.replace(/\.ics$/, "");

    expect(await poll(token)).toEqual({ status: 200, trips: 2 }); // lookup + the first record
    const first = await polledAt(d.doctor.id);
    expect(first).toBeGreaterThan(Date.now() - 60_000);
    expect(await poll(token)).toEqual({ status: 200, trips: 1 });
    expect(await polledAt(d.doctor.id)).toBe(first);

    await env.DB.prepare("UPDATE doctors SET feed_polled_at = ? WHERE id = ?").bind(Date.now() - 2 * 3_600_000, d.doctor.id).run();
    expect(await poll(token)).toEqual({ status: 200, trips: 2 });
    expect(await polledAt(d.doctor.id)).toBeGreaterThan(Date.now() - 60_000);
    // An unknown token: one lookup, nothing recorded.
    expect(await poll("A".repeat(43))).toEqual({ status: 404, trips: 1 });
  });
});
