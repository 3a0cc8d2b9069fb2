// The conflict policy, as one pure function (table-tested in
// test/worker/sync/policy.test.ts). Stated for users in README "Google Calendar sync".
//
// - ACMS is the source of truth for medical fields (patient, notes, type, status):
//   nothing but timing is ever taken from an external calendar.
// - Timing: the most recent edit wins by timestamp. The external calendar is the
//   reference only when its edit is newer than the ACMS edit.
// - Both changed since the last sync: the later edit wins AND the doctor is notified.
// - Our event deleted in the external calendar while the appointment is still
//   active in ACMS: RE-CREATE it there (same id) and notify the doctor. We never
//   cancel a patient's appointment because of a calendar deletion (a remote
//   deletion may be a slip; cancelling has consequences for the patient); the
//   doctor cancels in ACMS if that was meant.

export interface AcmsSide {
  version: number;
  updatedAtMs: number;
  startMs: number;
  endMs: number;
  /** cancelled appointments are not in the external calendar. */
  active: boolean;
}

export interface LastSync {
  /** ACMS version last written to / reconciled with the provider. */
  syncedVersion: number;
  /** Provider `updated` of the event as of our last write/read (ms), null if never seen. */
  externalUpdatedMs: number | null;
  /** The timing as last agreed with the provider (null if unknown: compare with ACMS). */
  syncedStartMs: number | null;
  syncedEndMs: number | null;
}

export interface ExternalSide {
  cancelled: boolean;
  updatedMs: number | null;
  startMs: number | null;
  endMs: number | null;
}

export type PolicyOutcome =
  | { action: "none" }
  /** Write ACMS state to the provider (patch, or delete when ACMS is cancelled). */
  | { action: "push_acms"; conflict: boolean }
  /** Move the ACMS appointment to the provider's times. */
  | { action: "take_external_timing"; conflict: boolean }
  /** Provider deleted an active appointment's event: re-create it, tell the doctor. */
  | { action: "recreate_external"; conflict: boolean }
  /** Provider deleted it and ACMS has it cancelled too: forget the link. */
  | { action: "forget_link" };

export function resolveSync(acms: AcmsSide, last: LastSync, ext: ExternalSide): PolicyOutcome {
  const acmsChanged = acms.version > last.syncedVersion;
  if (ext.cancelled) {
    if (!acms.active) return { action: "forget_link" };
    return { action: "recreate_external", conflict: acmsChanged };
  }
  // A provider edit counts only if it moved the event away from what we last agreed on
  // (a colour or title change, or our own write echoed back, is not a timing edit).
  const refStart = last.syncedStartMs ?? acms.startMs;
  const refEnd = last.syncedEndMs ?? acms.endMs;
  const sameTiming = ext.startMs === refStart && ext.endMs === refEnd;
  const extEdited =
    ext.updatedMs != null && (last.externalUpdatedMs == null || ext.updatedMs > last.externalUpdatedMs);
  const extChangedTiming = extEdited && !sameTiming && ext.startMs != null && ext.endMs != null;
  if (!acms.active) return acmsChanged || extChangedTiming ? { action: "push_acms", conflict: false } : { action: "none" };
  if (!extChangedTiming) return acmsChanged ? { action: "push_acms", conflict: false } : { action: "none" };
  const extNewer = (ext.updatedMs as number) > acms.updatedAtMs;
  if (!acmsChanged) return extNewer ? { action: "take_external_timing", conflict: false } : { action: "push_acms", conflict: false };
  return extNewer ? { action: "take_external_timing", conflict: true } : { action: "push_acms", conflict: true };
}
