import { notFound } from "../errors";
import { idParam } from "../validate";

/**
 * A path id, validated like a body field. A malformed id names nothing, so it
 * answers 404 like another clinic's id would: callers learn nothing either way.
 */
export function idOf(raw: string | undefined, what = "Resource"): string {
  const r = idParam.safeParse(raw);
  if (!r.success) throw notFound(what);
  return r.data;
}
