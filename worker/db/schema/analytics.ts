// Analytics (issue #19, migrations/0017_analytics.sql). Derived tables kept by
// worker/analytics/effect.ts (facts, cube, heat) and a trigger on sync_outbox
// (sync_metrics_daily); read with plain SQL in worker/analytics/*. The counters of
// analytics_cube are listed once in worker/analytics/counters.ts and the migration.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// WITHOUT ROWID in the migration (0022): the appointment id is the row, no separate key index.
export const analyticsFacts = sqliteTable(
  "analytics_facts",
  {
    appointmentId: text("appointment_id").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    doctorId: text("doctor_id").notNull(),
    patientId: text("patient_id").notNull(),
    startMs: integer("start_ms").notNull(),
    month: text("month").notNull(),
    weekday: integer("weekday").notNull(),
    hour: integer("hour").notNull(),
    type: text("type").notNull(),
    video: integer("video").notNull(),
    status: text("status").notNull(),
    minutes: integer("minutes").notNull(),
    leadMin: integer("lead_min").notNull(),
    leadBucket: integer("lead_bucket").notNull(),
    firstVisit: integer("first_visit").notNull(),
    priorNoShows: integer("prior_no_shows").notNull(),
    reminded: integer("reminded").notNull(),
    confirmed: integer("confirmed").notNull(),
    cancelBy: text("cancel_by").notNull().default(""),
    cancelledAt: integer("cancelled_at"),
    cancelLate: integer("cancel_late").notNull().default(0),
  },
  (t) => [index("analytics_facts_patient_idx").on(t.patientId, t.startMs), index("analytics_facts_no_show_idx").on(t.clinicId, t.month, t.patientId, t.startMs, t.doctorId, t.type, t.video).where(sql`status = 'no_show'`)],
);

const cubeCounter = (name: string) => integer(name).notNull().default(0);
const cubeCounters = Object.fromEntries(
  [
    "booked", "completed", "no_show", "cancelled", "cancel_late", "cancel_staff", "cancel_link", "cancel_sms", "cancel_provider", "minutes", "lead_min_sum",
    ...[0, 1, 2, 3, 4].flatMap((b) => [`d_lead${b}`, `ns_lead${b}`]),
    "d_first", "ns_first",
    ...[0, 1, 2].flatMap((h) => [`d_hist${h}`, `ns_hist${h}`]),
    "d_rem", "ns_rem", "d_conf", "ns_conf",
  ].map((n) => [n, cubeCounter(n)]),
);

export const analyticsCube = sqliteTable(
  "analytics_cube",
  {
    clinicId: text("clinic_id").notNull(),
    month: text("month").notNull(),
    doctorId: text("doctor_id").notNull(),
    type: text("type").notNull(),
    video: integer("video").notNull(),
    ...cubeCounters,
  },
  // WITHOUT ROWID in the migration (drizzle cannot say it), keyed month first (0022).
  (t) => [primaryKey({ columns: [t.clinicId, t.month, t.doctorId, t.type, t.video] })],
);

export const analyticsHeat = sqliteTable(
  "analytics_heat",
  {
    clinicId: text("clinic_id").notNull(),
    month: text("month").notNull(),
    weekday: integer("weekday").notNull(),
    hour: integer("hour").notNull(),
    doctorId: text("doctor_id").notNull(),
    type: text("type").notNull(),
    video: integer("video").notNull(),
    booked: cubeCounter("booked"),
    minutes: cubeCounter("minutes"),
    dAll: cubeCounter("d_all"),
    nsAll: cubeCounter("ns_all"),
  },
  // WITHOUT ROWID, keyed month first (migrations/0022_analytics_leaf_rollups.sql).
  (t) => [primaryKey({ columns: [t.clinicId, t.month, t.doctorId, t.type, t.video, t.weekday, t.hour] })],
);

export const syncMetricsDaily = sqliteTable(
  "sync_metrics_daily",
  {
    clinicId: text("clinic_id").notNull(),
    provider: text("provider").notNull(),
    day: text("day").notNull(),
    direction: text("direction").notNull(),
    ok: integer("ok").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    hist: text("hist").notNull().default("[0,0,0,0,0,0,0,0,0,0,0,0]"),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.day, t.provider, t.direction] })],
);

export const npsResponses = sqliteTable(
  "nps_responses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    clinicId: text("clinic_id").notNull(),
    source: text("source", { enum: ["patient", "staff"] }).notNull(),
    appointmentId: text("appointment_id"),
    userId: text("user_id"),
    quarter: text("quarter"),
    score: integer("score").notNull(),
    comment: text("comment").notNull().default(""),
    at: integer("at").notNull(),
  },
  (t) => [
    index("nps_clinic_at_idx").on(t.clinicId, t.at),
    // Once per appointment (patients), once per quarter (staff).
    uniqueIndex("nps_appointment_uq").on(t.appointmentId).where(sql`appointment_id IS NOT NULL`),
    uniqueIndex("nps_staff_quarter_uq").on(t.userId, t.quarter).where(sql`user_id IS NOT NULL`),
  ],
);

// Analytics (issue #19): reminder/invite outcomes per UTC month, kept by triggers on
// reminders and email_outbox (migrations/0017_analytics.sql).
export const messageOutcomesMonthly = sqliteTable(
  "message_outcomes_monthly",
  {
    clinicId: text("clinic_id").notNull(),
    month: text("month").notNull(),
    kind: text("kind").notNull(),
    state: text("state").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.month, t.kind, t.state] })],
);
