// Keeps a doctor's stored feed body (feed-store.ts) up to date from the doctor's DoctorHub.
//
// Single flight per hub: a change while a build runs causes exactly one more build after it,
// so a burst of changes (an import, a sync pull) costs two renders, not one per change. It runs
// beside the hub's other background work rather than inside it (hub/work-registry.ts): a
// provider sync there can take seconds, and a change must show in the feed within one. The
// render reuses the isolate's per-event memo (memo-render.ts), which stays warm in a hub
// that is kept busy by its own doctor's changes: a rebuild re-renders only what changed.
import type { Env } from "../env";
import { buildFeed } from "./feed-store";
import type { VeventStore } from "./memo-render";
import type { FeedSnapshot } from "./feed-delta";

/**
 * The rendered VEVENT texts of a doctor's feed in the hub's own SQLite storage, so a hub that
 * was evicted since the last change (a doctor books a few times an hour) re-renders only what
 * changed, not every event of the window: a cold rebuild of 1,200 events was ~150 ms of render.
 * One feed configuration per hub (one doctor): another config empties the table first.
 */
export function sqlVeventStore(sql: SqlStorage): VeventStore {
  // Tables made on first use, not in the hub's constructor: most hubs wake for a booking of a
  // doctor without a feed, and creating them cost every cold hub a storage write (issue #18).
  let made = false;
  const config = () => {
    if (!made) {
      sql.exec("CREATE TABLE IF NOT EXISTS feed_vevents (ekey TEXT PRIMARY KEY, text TEXT NOT NULL)");
      sql.exec("CREATE TABLE IF NOT EXISTS feed_vevents_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
      made = true;
    }
    return sql.exec<{ v: string }>("SELECT v FROM feed_vevents_meta WHERE k = 'config'").toArray()[0]?.v;
  };
  return {
    getMany(cfg, keys) {
      const out = new Map<string, string>();
      if (config() !== cfg) return out;
      for (const r of sql.exec<{ ekey: string; text: string }>("SELECT ekey, text FROM feed_vevents WHERE ekey IN (SELECT value FROM json_each(?))", JSON.stringify(keys)))
        out.set(r.ekey, r.text);
      return out;
    },
    putMany(cfg, rendered, keep) {
      if (config() !== cfg) {
        sql.exec("DELETE FROM feed_vevents");
        sql.exec("INSERT INTO feed_vevents_meta (k, v) VALUES ('config', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", cfg);
      }
      for (const [k, text] of rendered) sql.exec("INSERT INTO feed_vevents (ekey, text) VALUES (?, ?) ON CONFLICT (ekey) DO UPDATE SET text = excluded.text", k, text);
      // Bounded: once twice the feed's size (old versions of changed events), keep only this build's.
      const n = sql.exec<{ n: number }>("SELECT count(*) AS n FROM feed_vevents").one().n;
      if (n > 2 * keep.length + 100) sql.exec("DELETE FROM feed_vevents WHERE ekey NOT IN (SELECT value FROM json_each(?))", JSON.stringify(keep));
    },
  };
}

/**
 * After a change the build waits this long, so a burst of changes (an import, a sync pull,
 * several bookings in a row) makes one build, and the build does not sit in front of the
 * next request to the same hub. Well inside "a change shows within a second".
 */
export const FEED_DEBOUNCE_MS = 250;

export class FeedRefresher {
  private running: Promise<void> | null = null;
  private again = false;
  /** The last build (./feed-delta.ts), and the appointments changed since ("all": not known, read in full). */
  private snapshot: FeedSnapshot | null = null;
  private changed: Set<string> | "all" = "all";

  constructor(
    private readonly env: Env,
    private readonly retryLater: (doctorId: string) => void,
    private readonly store?: VeventStore,
  ) {}

  /**
   * Rebuilds after the current build (if any); resolves when the body reflects every change
   * so far. `changed`: the ids of the appointments that changed (the build reads only those);
   * without it the build reads the whole window. `now`: no debounce, and a full read (a feed
   * just created or switched, a poll that saw it stale).
   */
  schedule(doctorId: string, o: { now?: boolean; changed?: string[] } = {}): Promise<void> {
    if (o.changed && !o.now) {
      if (this.changed !== "all") for (const id of o.changed) this.changed.add(id);
    } else this.changed = "all";
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        if (!o.now) await new Promise((r) => setTimeout(r, FEED_DEBOUNCE_MS));
        do {
          this.again = false;
          const changed = this.changed;
          this.changed = new Set();
          try {
            const memory = { snapshot: changed === "all" ? null : this.snapshot, changed: changed === "all" ? null : changed };
            this.snapshot = (await buildFeed(this.env, doctorId, Date.now(), this.store, memory)).snapshot;
          } catch (err) {
            // The change is committed; polls keep getting the previous body until a retry succeeds.
            console.error("feed build failed", doctorId, err);
            this.snapshot = null;
            this.changed = "all";
            this.retryLater(doctorId);
          }
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
