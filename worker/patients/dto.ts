// The patient as the API shows it (contract: {id, name, phone, email, dateOfBirth}).
export interface PatientDto {
  id: string;
  name: string;
  phone: string;
  email: string;
  dateOfBirth: string | null;
}

export interface PatientDbRow {
  id: string;
  clinic_id: string;
  name: string;
  name_lc: string;
  phone: string;
  phone_digits: string;
  email: string;
  date_of_birth: string | null;
}

export const patientDto = (r: PatientDbRow): PatientDto => ({
  id: r.id,
  name: r.name,
  phone: r.phone,
  email: r.email,
  dateOfBirth: r.date_of_birth,
});

/** The derived search columns, kept in one place so inserts and updates agree. */
export const nameLc = (name: string) => name.trim().toLowerCase().replace(/\s+/g, " ");
export const phoneDigits = (phone: string) => phone.replace(/\D/g, "");
