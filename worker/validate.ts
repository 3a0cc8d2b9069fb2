// Request validation with zod (the schema library the team standardizes on: one
// declaration gives the runtime check, the TypeScript type and readable issues).
// Bodies: malformed JSON → 400; schema failures → 422 with per-field details.
// Schemas should be z.strictObject so unknown fields are refused, not ignored.
import type { Context } from "hono";
import { z } from "zod";
import { ApiError, badRequest, validationError } from "./errors";

export function issuesOf(err: z.ZodError) {
  return err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

// ---------------------------------------------------------------------------
// Text: one rule for every string the API accepts (issue #8)
// ---------------------------------------------------------------------------
// Names, notes, types, labels and addresses end up on screens, in .ics lines, e-mail
// headers and provider events. A character that is invisible or that reorders what is
// displayed can spoof a name ("Dr \u202Eeoj" shows as "Dr joe") or break a line-based
// format, so these are refused, never silently stripped (the sender must see why):
//  - C0 controls U+0000–U+001F (NUL included), DEL U+007F and C1 controls U+0080–U+009F;
//    only in multi-line fields (MULTILINE_FIELDS) are TAB, LF and CR allowed;
//  - bidirectional embeddings/overrides U+202A–U+202E and isolates U+2066–U+2069;
//  - the line/paragraph separators U+2028/U+2029 outside multi-line fields;
//  - lone (unpaired) UTF-16 surrogates, which are not Unicode text at all.
// Left allowed on purpose: the implicit direction marks LRM/RLM/ALM (U+200E, U+200F,
// U+061C), which Arabic and Hebrew names legitimately need and which cannot reorder text
// beyond their own position; zero-width joiners, needed by several scripts and emoji.
// jsonBody and queryOf apply the rule to every string in the request (values and keys,
// at any depth), so a new field is covered without anyone remembering to.

/** JSON keys whose values are multi-line free text (tab and line breaks allowed). */
export const MULTILINE_FIELDS: ReadonlySet<string> = new Set(["notes", "text", "html"]);
/** Secrets are never displayed or written into a file; any character is theirs to choose. */
const TEXT_RULE_EXEMPT: ReadonlySet<string> = new Set(["password", "currentPassword", "newPassword"]);

const CONTROL_SINGLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_MULTI = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
// With the u flag a surrogate range matches only surrogates that are not part of a pair.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

const hex = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Why `s` is not acceptable text, or null when it is. */
export function textProblem(s: string, multiline = false): string | null {
  const ctl = (multiline ? CONTROL_MULTI : CONTROL_SINGLE).exec(s);
  if (ctl) return `contains a control character (${hex(ctl[0])})${multiline ? "" : "; line breaks and tabs are not allowed here"}`;
  const bidi = BIDI_CONTROL.exec(s);
  if (bidi) return `contains a bidirectional override character (${hex(bidi[0])}) that can disguise the text`;
  if (LONE_SURROGATE.test(s)) return "contains invalid Unicode (an unpaired surrogate)";
  return null;
}

/** For text that arrives from outside the API (provider events, files): drops what textProblem refuses. */
export function stripUnsafeText(s: string, multiline = false): string {
  const ctl = multiline ? CONTROL_MULTI : CONTROL_SINGLE;
  return s
    .replace(new RegExp(ctl.source, "g"), multiline ? "" : " ")
    .replace(new RegExp(BIDI_CONTROL.source, "g"), "")
    .replace(new RegExp(LONE_SURROGATE.source, "gu"), "\ufffd");
}

/** The first string in `value` (any depth) that breaks the text rule, as a 422 detail. */
export function unsafeTextIn(value: unknown, path: string[] = [], depth = 0): { path: string; message: string } | null {
  if (depth > 32) return null; // bodies are size-capped; this only bounds recursion
  if (typeof value === "string") {
    const key = path[path.length - 1] ?? "";
    if (TEXT_RULE_EXEMPT.has(key)) return null;
    const problem = textProblem(value, MULTILINE_FIELDS.has(key));
    return problem ? { path: path.join("."), message: problem } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = unsafeTextIn(value[i], [...path, String(i)], depth + 1);
      if (r) return r;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const kp = textProblem(k);
      if (kp) return { path: [...path, k].join("."), message: `field name ${kp}` };
      const r = unsafeTextIn(v, [...path, k], depth + 1);
      if (r) return r;
    }
  }
  return null;
}

function refuseUnsafeText(raw: unknown, what: "request" | "query") {
  const bad = unsafeTextIn(raw);
  if (bad) throw validationError(`The ${what} has invalid fields: ${bad.path || "value"} ${bad.message}.`, [bad]);
}

export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const ct = c.req.header("content-type") ?? "";
  if (!ct.toLowerCase().includes("application/json")) throw new ApiError(415, "unsupported_media_type", "Send the body as application/json.");
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
  refuseUnsafeText(raw, "request");
  const r = schema.safeParse(raw);
  if (!r.success) throw validationError("The request has invalid fields.", issuesOf(r.error));
  return r.data;
}

export function queryOf<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const raw = c.req.query();
  refuseUnsafeText(raw, "query");
  const r = schema.safeParse(raw);
  if (!r.success) throw validationError("The query has invalid parameters.", issuesOf(r.error));
  return r.data;
}

// ---------------------------------------------------------------------------
// Time: every instant and date the API accepts lies in the years 1900–2200 (issue #8)
// ---------------------------------------------------------------------------
// Outside that, date arithmetic overflows (new Date(9999-12-31 + 1 day) … RangeError)
// and no appointment, birth date or calendar window is meaningful anyway.
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;
/** 1900-01-01T00:00:00Z and the last millisecond of 2200 (UTC). */
export const MIN_INSTANT_MS = Date.UTC(MIN_YEAR, 0, 1);
export const MAX_INSTANT_MS = Date.UTC(MAX_YEAR + 1, 0, 1) - 1;
export const inSaneRange = (ms: number) => Number.isFinite(ms) && ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
const RANGE_MESSAGE = `must be between the years ${MIN_YEAR} and ${MAX_YEAR}`;

/** An ISO 8601 instant with an explicit offset or Z ("2026-01-05T09:00:00Z"); returned as epoch ms. */
export const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, "must be an ISO 8601 date-time with a zone, e.g. 2026-01-05T09:00:00Z")
  .transform((s, ctx) => {
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: "custom", message: "is not a real date-time" });
      return z.NEVER;
    }
    // Date.parse accepts 2026-02-30 by rolling over; refuse impossible calendar dates.
    const [y, mo, d] = s.slice(0, 10).split("-").map(Number);
    const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    if (mo < 1 || mo > 12 || d < 1 || d > days) {
      ctx.addIssue({ code: "custom", message: "is not a real calendar date" });
      return z.NEVER;
    }
    if (!inSaneRange(ms)) {
      ctx.addIssue({ code: "custom", message: RANGE_MESSAGE });
      return z.NEVER;
    }
    return ms;
  });

/** A calendar date "YYYY-MM-DD" that exists. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((s) => {
    const [y, m, d] = s.split("-").map(Number);
    return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
  }, "is not a real calendar date")
  .refine((s) => {
    const y = Number(s.slice(0, 4));
    return y >= MIN_YEAR && y <= MAX_YEAR;
  }, RANGE_MESSAGE);

export const idParam = z.string().regex(/^[0-9a-f]{32}$/, "is not a valid id");
