// The conflict policy, table-driven: every row is a situation a doctor can create.
import { describe, expect, it } from "vitest";
import { resolveSync, type AcmsSide, type ExternalSide, type LastSync } from "../../../worker/sync/policy";

const T0 = Date.parse("2026-03-02T08:00:00Z"); // last sync
const NINE = Date.parse("2026-03-10T09:00:00Z");
const NINE30 = NINE + 30 * 60_000;
const TEN = NINE + 60 * 60_000;
const TEN30 = TEN + 30 * 60_000;

const acms = (o: Partial<AcmsSide> = {}): AcmsSide => ({ version: 2, updatedAtMs: T0, startMs: NINE, endMs: NINE30, active: true, ...o });
const last = (o: Partial<LastSync> = {}): LastSync => ({ syncedVersion: 2, externalUpdatedMs: T0, syncedStartMs: NINE, syncedEndMs: NINE30, ...o });
const ext = (o: Partial<ExternalSide> = {}): ExternalSide => ({ cancelled: false, updatedMs: T0, startMs: NINE, endMs: NINE30, ...o });

const rows: [string, AcmsSide, LastSync, ExternalSide, ReturnType<typeof resolveSync>][] = [
  ["nothing changed", acms(), last(), ext(), { action: "none" }],
  ["ACMS rescheduled only → push", acms({ version: 3, updatedAtMs: T0 + 1000, startMs: TEN, endMs: TEN30 }), last(), ext(), { action: "push_acms", conflict: false }],
  ["Google moved it only (newer) → take Google timing", acms(), last(), ext({ updatedMs: T0 + 5000, startMs: TEN, endMs: TEN30 }), { action: "take_external_timing", conflict: false }],
  ["Google edit without a time change (colour) → nothing", acms(), last(), ext({ updatedMs: T0 + 5000 }), { action: "none" }],
  ["Google edited colour while ACMS rescheduled → push, no conflict", acms({ version: 3, updatedAtMs: T0 + 9000, startMs: TEN, endMs: TEN30 }), last(), ext({ updatedMs: T0 + 5000 }), { action: "push_acms", conflict: false }],
  ["both moved, Google later → Google wins, notify", acms({ version: 3, updatedAtMs: T0 + 1000, startMs: TEN, endMs: TEN30 }), last(), ext({ updatedMs: T0 + 2000, startMs: TEN30, endMs: TEN30 + 1_800_000 }), { action: "take_external_timing", conflict: true }],
  ["both moved, ACMS later → ACMS wins, notify", acms({ version: 3, updatedAtMs: T0 + 3000, startMs: TEN, endMs: TEN30 }), last(), ext({ updatedMs: T0 + 2000, startMs: TEN30, endMs: TEN30 + 1_800_000 }), { action: "push_acms", conflict: true }],
  ["Google edit older than ACMS's last edit (clock skew) → ACMS", acms({ updatedAtMs: T0 + 9000 }), last(), ext({ updatedMs: T0 + 5000, startMs: TEN, endMs: TEN30 }), { action: "push_acms", conflict: false }],
  ["deleted in Google, appointment active → re-create", acms(), last(), ext({ cancelled: true, startMs: null, endMs: null }), { action: "recreate_external", conflict: false }],
  ["deleted in Google while ACMS rescheduled → re-create (conflict)", acms({ version: 3 }), last(), ext({ cancelled: true }), { action: "recreate_external", conflict: true }],
  ["deleted in Google, cancelled in ACMS → forget link", acms({ active: false, version: 3 }), last(), ext({ cancelled: true }), { action: "forget_link" }],
  ["cancelled in ACMS, Google moved it → ACMS status wins (delete)", acms({ active: false, version: 3 }), last(), ext({ updatedMs: T0 + 5000, startMs: TEN, endMs: TEN30 }), { action: "push_acms", conflict: false }],
  ["Google shows the timing ACMS just pushed (echo) → nothing", acms({ startMs: TEN, endMs: TEN30 }), last({ syncedStartMs: TEN, syncedEndMs: TEN30 }), ext({ updatedMs: T0 + 5000, startMs: TEN, endMs: TEN30 }), { action: "none" }],
  ["first sight of the event (never read) with ACMS times → nothing", acms(), last({ externalUpdatedMs: null }), ext(), { action: "none" }],
];

describe("conflict policy: most recent edit wins; ACMS owns medical fields and status", () => {
  it.each(rows)("%s", (_name, a, l, e, expected) => {
    expect(resolveSync(a, l, e)).toEqual(expected);
  });
});
