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
  /** Do what is due now. Return the epoch ms when it next wants to run, or null when idle. */
  run(ctx: HubContext): Promise<number | null>;
}

const work = registrySlot<readonly HubWork[]>("hub work");
/** Sets the work every DoctorHub runs, in order; called by worker/features.ts. */
export const useHubWork = work.set;
/** The registered work (throws if none was registered). */
export const hubWork = work.get;
