// Patients (PHI) and the words of their names, for search.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { now } from "./columns.ts";
import { clinics } from "./clinics.ts";

// Patients hold PHI: never sent to an external calendar.
export const patients = sqliteTable(
  "patients",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull().references(() => clinics.id),
    name: text("name").notNull(),
    nameLc: text("name_lc").notNull(), // lower-cased, for prefix search on an index
    phone: text("phone").notNull().default(""),
    phoneDigits: text("phone_digits").notNull().default(""), // digits only, for prefix search
    email: text("email").notNull().default(""), // lower-cased
    dateOfBirth: text("date_of_birth"),
    notes: text("notes").notNull().default(""), // free text for staff (migration 0009); PHI like the rest
    // migrations/0012: SMS consent, when and how it was given or withdrawn
    // ("staff:<user id>", "sms:START", "sms:STOP", "twilio:21610").
    smsConsent: integer("sms_consent").notNull().default(0),
    smsConsentAt: integer("sms_consent_at"),
    smsConsentSource: text("sms_consent_source"),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [
    index("patients_name_idx").on(t.clinicId, t.nameLc),
    index("patients_phone_idx").on(t.clinicId, t.phoneDigits),
    index("patients_email_idx").on(t.clinicId, t.email),
    // Inbound SMS replies (migration 0012): the patient by number across clinics.
    index("patients_phone_digits_idx").on(t.phoneDigits),
  ],
);

// Words of each patient's name (lower-cased), so a search finds "Smith" in
// "John Smith" with an index range scan, not only the first word of name_lc.
// Written in the same batch as the patient (worker/patients/terms.ts).
export const patientTerms = sqliteTable(
  "patient_terms",
  {
    clinicId: text("clinic_id").notNull(),
    term: text("term").notNull(),
    patientId: text("patient_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.term, t.patientId] }), index("patient_terms_patient_idx").on(t.patientId)],
);
