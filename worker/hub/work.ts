// Background work a doctor's DoctorHub runs: draining the sync outbox, sending
// invite e-mails and reminders, pulling provider changes. The hub runs them
// single-flight after every change (kick) and on its alarm, and sets the next
// alarm to the earliest time any of them asks for.
// Features register their HubWork in the composition root, worker/features.ts: the hub
// imports only this interface, never a feature.
import type { Env } from "../env";
import type { LiveChange } from "../live/messages";
import { registrySlot } from "../registry";

export interface HubContext {
  env: Env;
  doctorId: string;
  /** Runs fn under the doctor's write lock (the same one bookings use). Keep provider fetches outside it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Publishes a change to every open screen watching this doctor. */
  publish(change: LiveChange): Promise<void>;
  /** The same for many changes at once: one version bump and one live-channel RPC (bulk sync writes). */
  publishMany(changes: LiveChange[]): Promise<void>;
}

export interface HubWork {
  name: string;
  /**
   * Optional: the D1 statements that start this work's run ("what is due now?"). Consecutive
   * work with reads shares ONE D1 batch for them (runHubWork), so a run with nothing due costs
   * one round trip for all of it, not one each; the results come back to run() as `read`.
   * Reads must not depend on what earlier work of the same group writes.
   */
  reads?(ctx: HubContext, now: number): D1PreparedStatement[];
  /** Do what is due now. Return the epoch ms when it next wants to run, or null when idle. */
  run(ctx: HubContext, read?: D1Result[], now?: number): Promise<number | null>;
}

/**
 * Runs the work in order: each piece's failure is reported (onError) and answered with a retry
 * in a minute, never stopping the others. Returns the earliest time any of it wants to run again.
 */
export async function runHubWork(ctx: HubContext, works: readonly HubWork[], onError: (w: HubWork, err: unknown) => void): Promise<number | null> {
  let next: number | null = null;
  const want = (at: number | null) => {
    if (at != null && (next == null || at < next)) next = at;
  };
  for (let i = 0; i < works.length; ) {
    // A group: this work and the ones right after it that have reads (or just this one).
    let j = i + 1;
    if (works[i].reads) while (j < works.length && works[j].reads) j++;
    const group = works.slice(i, j);
    i = j;
    const now = Date.now();
    let reads: D1Result[][] = group.map(() => []);
    if (group[0].reads) {
      const lists = group.map((w) => w.reads!(ctx, now));
      try {
        const all = await ctx.env.DB.batch(lists.flat());
        let at = 0;
        reads = lists.map((l) => all.slice(at, (at += l.length)));
      } catch (err) {
        for (const w of group) onError(w, err);
        want(Date.now() + 60_000);
        continue;
      }
    }
    for (const [k, w] of group.entries()) {
      try {
        want(await (w.reads ? w.run(ctx, reads[k], now) : w.run(ctx)));
      } catch (err) {
        onError(w, err);
        want(Date.now() + 60_000);
      }
    }
  }
  return next;
}

const work = registrySlot<readonly HubWork[]>("hub work");
/** Sets the work every DoctorHub runs, in order; called by worker/features.ts. */
export const useHubWork = work.set;
/** The registered work (throws if none was registered). */
export const hubWork = work.get;
