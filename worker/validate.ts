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

export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const ct = c.req.header("content-type") ?? "";
  if (!ct.toLowerCase().includes("application/json")) throw new ApiError(415, "unsupported_media_type", "Send the body as application/json.");
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw validationError("The request has invalid fields.", issuesOf(r.error));
  return r.data;
}

export function queryOf<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) throw validationError("The query has invalid parameters.", issuesOf(r.error));
  return r.data;
}

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
    return ms;
  });

/** A calendar date "YYYY-MM-DD" that exists. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((s) => {
    const [y, m, d] = s.split("-").map(Number);
    return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
  }, "is not a real calendar date");

export const idParam = z.string().regex(/^[0-9a-f]{32}$/, "is not a valid id");
