// Search terms of a patient's name: every word (lower-cased), plus the parts of
// hyphenated words, so "Mary Smith-Jones" is found by "mary", "smith", "jones"
// and "smith-jones". Stored in patient_terms and kept in step with the name in
// the same D1 batch as every patient write.
import { nameLc } from "./dto";

const MAX_TERMS = 16;

export function nameTerms(name: string): string[] {
  const out = new Set<string>();
  for (const word of nameLc(name).split(" ")) {
    if (!word) continue;
    out.add(word);
    if (word.includes("-")) for (const part of word.split("-")) if (part) out.add(part);
  }
  return [...out].slice(0, MAX_TERMS);
}

/** Raw D1 statements inserting a new patient's terms (for writers outside drizzle, e.g. test fixtures). */
export function termInserts(d1: D1Database, clinicId: string, patientId: string, name: string): D1PreparedStatement[] {
  return nameTerms(name).map((t) =>
    d1.prepare("INSERT OR IGNORE INTO patient_terms (clinic_id, term, patient_id) VALUES (?, ?, ?)").bind(clinicId, t, patientId),
  );
}

/** True when every query word is the start of some word of the name ("smi jo" matches "John Smith"). */
export function wordsMatch(queryLc: string, patientNameLc: string): boolean {
  const words = nameTerms(patientNameLc);
  return queryLc
    .split(" ")
    .filter(Boolean)
    .every((q) => words.some((w) => w.startsWith(q)));
}
