// Extra statements that must commit atomically with an appointment change: the interface.
// Each effect returns statements to append to the change's D1 batch (invite/cancel e-mails in
// email_outbox, reminder plans, video links). They run for every origin; check change.origin to
// skip echoes if needed. Keep them cheap and pure: no reads, no fetches — just build statements.
//
// Features register their effect in the composition root, worker/features.ts, not here: this
// module (and the write path that uses it) imports no feature, so a new feature never touches
// the core and the core never sits in an import circle with the features.
import type { BatchItem } from "drizzle-orm/batch";
import type { Actor } from "../db/audit";
import type { Db } from "../db/client";
import type { Appointment } from "./model";
import { registrySlot } from "../registry";

export type ChangeOrigin = "acms" | "google" | "microsoft" | "caldav" | "ics";

/**
 * What the write path read anyway (clinic settings and the patient's contact/consent, in the
 * same D1 batch as its other checks), handed to effects so they need no reads of their own.
 * Absent on hard deletes.
 */
export interface ChangeContext {
  clinic: {
    timeZone: string;
    reminderRules: string;
    quietStartMin: number;
    quietEndMin: number;
    noReminderTypes: string;
    videoTypes: string;
    jitsiBaseUrl: string;
  };
  patient: { hasEmail: boolean; smsOk: boolean };
}

export interface AppointmentChange {
  /** null on create */
  before: Appointment | null;
  /** null on delete */
  after: Appointment | null;
  actor: Actor;
  origin: ChangeOrigin;
  context?: ChangeContext;
}

export type ChangeEffect = (db: Db, change: AppointmentChange) => BatchItem<"sqlite">[];

const effects = registrySlot<readonly ChangeEffect[]>("appointment change effects");
/** Sets the effects every appointment change runs, in order; called by worker/features.ts. */
export const useChangeEffects = effects.set;
/** The registered effects (throws if none were registered). */
export const changeEffects = effects.get;
