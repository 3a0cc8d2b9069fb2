// The one detail an imported busy block may carry: the external event's title, and
// only when the doctor allowed it (calendar_integrations.busy_label = "title").
// Descriptions, locations and attendees are never read into ACMS.

import { stripUnsafeText } from "../validate";

export const BUSY_LABEL_SETTINGS = ["none", "title"] as const;
export type BusyLabelSetting = (typeof BUSY_LABEL_SETTINGS)[number];

/** Longest label we store: enough for "Lunch with the team", short enough for a calendar cell. */
export const BUSY_LABEL_MAX = 80;

/**
 * The label to store for an imported busy block. "none" (or anything unknown) → "".
 * "title" → the title with control characters and runs of whitespace collapsed to one
 * space, trimmed, cut to BUSY_LABEL_MAX characters (by code point, so no half emoji).
 */
export function busyLabelOf(setting: string | null | undefined, title: string | null | undefined): string {
  if (setting !== "title" || !title) return "";
  // eslint-disable-next-line no-control-regex
  // stripUnsafeText: the API's one text rule (validate.ts), applied by stripping here since a
  // provider's title cannot be refused (bidi overrides, lone surrogates, controls).
  const clean = stripUnsafeText(title).replace(/[\u0000-\u001f\u007f-\u009f\s]+/gu, " ").trim();
  const chars = [...clean];
  return chars.length <= BUSY_LABEL_MAX ? clean : chars.slice(0, BUSY_LABEL_MAX).join("").trimEnd();
}
