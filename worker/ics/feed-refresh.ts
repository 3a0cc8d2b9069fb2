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

export class FeedRefresher {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly env: Env,
    private readonly retryLater: (doctorId: string) => void,
  ) {}

  /** Rebuilds after the current build (if any); resolves when the body reflects every change so far. */
  schedule(doctorId: string): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          try {
            await buildFeed(this.env, doctorId);
          } catch (err) {
            // The change is committed; polls keep getting the previous body until a retry succeeds.
            console.error("feed build failed", doctorId, err);
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
