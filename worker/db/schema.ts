// The D1 schema: the single source of truth for ACMS Calendar.
// Times are instants stored as integer milliseconds since the epoch (UTC):
// integer range comparisons are exact, index-friendly and zone-free; the
// clinic's IANA zone is applied only when rendering or doing slot maths.
//
// The tables live in worker/db/schema/, one module per domain: this file had grown to ~800
// lines, past the project's ~500-line rule. It stays as this barrel so nothing else changes:
// the Worker imports "../db/schema", drizzle.config.ts and scripts/db-snapshot.mjs load this
// file, and drizzle-kit sees every table exported here. A new table goes into its domain's
// module (or a new one exported below). The `.ts` extensions are deliberate: db-snapshot.mjs
// loads the schema with Node's type stripping, which resolves no extensionless import.
export * from "./schema/clinics.ts";
export * from "./schema/auth.ts";
export * from "./schema/patients.ts";
export * from "./schema/appointments.ts";
export * from "./schema/audit.ts";
export * from "./schema/notices.ts";
export * from "./schema/sync.ts";
export * from "./schema/ical.ts";
export * from "./schema/reminders.ts";
export * from "./schema/analytics.ts";
export * from "./schema/waitlist.ts";
export * from "./schema/suggestions.ts";
