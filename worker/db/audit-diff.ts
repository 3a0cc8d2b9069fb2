// What an auditor wants to read for an update: only the fields that changed,
// as { before: {field: old}, after: {field: new} }.
export function changed<T extends object>(before: T, after: T): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const k of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      b[k] = before[k];
      a[k] = after[k];
    }
  }
  return { before: b, after: a };
}

/**
 * Names of the fields whose values differ between two versions of a record, in the
 * order given. Free-text fields that may hold medical detail (an appointment's notes
 * and reason) are summarised this way, by name only: the audit log records THAT they
 * changed, never their text, so it does not become a second copy of the notes.
 */
export function changedFields<T extends object>(before: T | null | undefined, after: T | null | undefined, fields: readonly (keyof T)[]): string[] {
  if (!before || !after) return [];
  return fields.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map(String);
}
