// Patient prefix search on the indexes (clinic_id, name_lc | phone_digits | email)
// and on patient_terms (clinic_id, term): any word of the name, so "smi" finds
// "John Smith".
//
// Each is a range scan `col >= q AND col < q || U+10FFFF` on its own index
// (a LIKE 'q%' would need case_sensitive_like or a NOCASE index to use the index;
// the range works with the default BINARY collation and needs no escaping of % and _).
// The up-to-four queries go to D1 in one batch (one round trip), each capped by
// LIMIT so a one-letter query reads a bounded number of rows.
import { nameLc, patientDto, type PatientDbRow, type PatientDto } from "./dto";
import { wordsMatch } from "./terms";
import { type PhoneRegion, phoneSearchPrefixes } from "../sms/phone";

/** The highest code point: every string with prefix q sorts below q + MAX_CHAR in UTF-8 byte order. */
export const MAX_CHAR = "\u{10FFFF}";

export interface SearchTerms {
  name: string;
  /** phone_digits prefixes to look up: as typed, and in the international form (worker/sms/phone.ts). */
  phoneDigits: string[];
  email: string | null;
  /** The last word of a query with letters: searched among every word of every name (patient_terms). */
  word: string | null;
}

/** Which fields a query can match: digits-only input also searches phones; input without spaces also e-mails. */
export function searchTerms(q: string, region: PhoneRegion = {}): SearchTerms {
  // Normalized exactly like the stored name_lc column, so the range scan compares like with like.
  const name = nameLc(q);
  const looksLikePhone = /^[+\d][\d\s().\-/]*$/.test(name);
  const digits = name.replace(/\D/g, "");
  return {
    name,
    phoneDigits: looksLikePhone && digits.length > 0 ? phoneSearchPrefixes(name, region) : [],
    email: name && !name.includes(" ") ? name : null,
    word: /\p{L}/u.test(name) ? (name.split(" ").pop() ?? null) : null,
  };
}

const COLS = "id, clinic_id, name, name_lc, phone, phone_digits, email, date_of_birth";
export type SearchColumn = "name_lc" | "phone_digits" | "email";

/** The SQL of one field's search (exported for the EXPLAIN QUERY PLAN test). Binds: clinicId, q, q+MAX_CHAR, limit. */
export const searchSql = (col: SearchColumn) =>
  `SELECT ${COLS} FROM patients WHERE clinic_id = ?1 AND ${col} >= ?2 AND ${col} < ?3 ORDER BY ${col} LIMIT ?4`;

/** Any word of the name, through patient_terms' primary key (clinic_id, term, patient_id). Same binds. */
export const termSearchSql = `SELECT ${COLS.split(", ").map((c) => `p.${c}`).join(", ")} FROM patient_terms t JOIN patients p ON p.id = t.patient_id
  WHERE t.clinic_id = ?1 AND t.term >= ?2 AND t.term < ?3 AND p.clinic_id = ?1 ORDER BY t.term LIMIT ?4`;

/** How many word matches to look at before filtering by the other query words. */
const WORD_CANDIDATES = 200;

export async function searchPatients(db: D1Database, clinicId: string, q: string, limit: number, region: PhoneRegion = {}): Promise<PatientDto[]> {
  const t = searchTerms(q, region);
  const range = (col: SearchColumn, v: string) => db.prepare(searchSql(col)).bind(clinicId, v, v + MAX_CHAR, limit);
  const stmts = [range("name_lc", t.name)];
  for (const digits of t.phoneDigits) stmts.push(range("phone_digits", digits));
  if (t.email) stmts.push(range("email", t.email));
  if (t.word) stmts.push(db.prepare(termSearchSql).bind(clinicId, t.word, t.word + MAX_CHAR, WORD_CANDIDATES));
  const results = await db.batch<PatientDbRow>(stmts);
  const byId = new Map<string, PatientDbRow>();
  results.forEach((r, i) => {
    // Word matches must also match the query's other words ("smi jo" → John Smith).
    const viaWord = t.word !== null && i === stmts.length - 1;
    for (const row of r.results) if (!viaWord || wordsMatch(t.name, row.name_lc)) byId.set(row.id, row);
  });
  return [...byId.values()]
    .sort((a, b) => (a.name_lc < b.name_lc ? -1 : a.name_lc > b.name_lc ? 1 : a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map(patientDto);
}

