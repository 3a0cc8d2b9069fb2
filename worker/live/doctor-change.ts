// Doctor settings edited in the admin screens (working hours, slot length, colour, name, types)
// reach every open calendar showing that doctor, so shading and free slots follow at once.
// Published straight to the clinic's ClinicLive object: the change is not a booking, so it needs
// neither the doctor's hub lock nor its outbox. A failed publish is logged, never fatal: the
// doctor row is already saved and every calendar reads it again on its next load.
import type { DoctorDto } from "../doctors/dto";
import type { Env } from "../env";

export async function publishDoctorChange(env: Env, clinicId: string, doctor: DoctorDto): Promise<void> {
  try {
    const live = env.CLINIC_LIVE.get(env.CLINIC_LIVE.idFromName(clinicId));
    await live.publish({ kind: "doctor", op: "updated", doctorId: doctor.id, record: doctor });
  } catch (err) {
    console.error("live publish of a doctor change failed", doctor.id, err);
  }
}
