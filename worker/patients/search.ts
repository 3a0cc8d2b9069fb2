// Patient prefix search on the three indexes (clinic_id, name_lc | phone_digits | email).
//
// Each field is a range scan `col >= q AND col < q || U+10FFFF` on its own index
// (a LIKE 'q%' would need case_sensitive_like or a NOCASE index to use the index;
// the range works with the default BINARY collation and needs no escaping of % and _).
// The up-to-three queries go to D1 in one batch (one round trip), each capped by
// LIMIT so a one-letter query reads at most `limit` rows per index.
import { patientDto, type PatientDbRow, type PatientDto } from "./dto";

/** The highest code point: every string with prefix q sorts below q + MAX_CHAR in UTF-8 byte order. */
export const MAX_CHAR = "\u{10FFFF}";

export interface SearchTerms {
  name: string;
  phoneDigits: string | null;
  email: string | null;
}

/** Which fields a query can match: digits-only input also searches phones; input without spaces also e-mails. */
export function searchTerms(q: string): SearchTerms {
  const name = q.trim().toLowerCase().replace(/\s+/g, " ");
  const looksLikePhone = /^[+\d][\d\s().\-/]*$/.test(name);
  const digits = name.replace(/\D/g, "");
  return {
    name,
    phoneDigits: looksLikePhone && digits.length > 0 ? digits : null,
    email: name && !name.includes(" ") ? name : null,
  };
}

const COLS = "id, clinic_id, name, name_lc, phone, phone_digits, email, date_of_birth";
export type SearchColumn = "name_lc" | "phone_digits" | "email";

/** The SQL of one field's search (exported for the EXPLAIN QUERY PLAN test). Binds: clinicId, q, q+MAX_CHAR, limit. */
export const searchSql = (col: SearchColumn) =>
  `SELECT ${COLS} FROM patients WHERE clinic_id = ?1 AND ${col} >= ?2 AND ${col} < ?3 ORDER BY ${col} LIMIT ?4`;

export async function searchPatients(db: D1Database, clinicId: string, q: string, limit: number): Promise<PatientDto[]> {
  const t = searchTerms(q);
  const range = (col: SearchColumn, v: string) => db.prepare(searchSql(col)).bind(clinicId, v, v + MAX_CHAR, limit);
  const stmts = [range("name_lc", t.name)];
  if (t.phoneDigits) stmts.push(range("phone_digits", t.phoneDigits));
  if (t.email) stmts.push(range("email", t.email));
  const results = await db.batch<PatientDbRow>(stmts);
  const byId = new Map<string, PatientDbRow>();
  for (const r of results) for (const row of r.results) byId.set(row.id, row);
  return [...byId.values()]
    .sort((a, b) => (a.name_lc < b.name_lc ? -1 : a.name_lc > b.name_lc ? 1 : a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map(patientDto);
}

