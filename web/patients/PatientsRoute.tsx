// /patients and /patients/:id (stores/route.ts patientInPath).
import { Show } from "solid-js";
import { patientInPath } from "../stores/route";
import { PatientPage } from "./PatientPage";
import { PatientsPage } from "./PatientsPage";

export function PatientsRoute() {
  return (
    <Show when={patientInPath()} keyed fallback={<PatientsPage />}>
      {(id) => <PatientPage id={id} />}
    </Show>
  );
}
