// The patient behind an appointment, for staff: phone and e-mail (click to call / write) and a
// link to the patient's page (/patients/:id, with their history). Fetched per open appointment:
// contact details are not in the calendar's range lists (they would travel with every block).
// Every signed-in user is clinic staff (admin, receptionist, doctor); nothing here ever goes to
// an external calendar, a feed or an add-to-calendar link.
import { createResource, Show } from "solid-js";
import { request } from "../api-client/client";
import type { Patient } from "../api-client/types";
import { navigate } from "../stores/route";

export function PatientContact(props: { patientId: string }) {
  const [patient] = createResource(
    () => props.patientId,
    async (id) => {
      try {
        return (await request<{ patient: Patient }>("GET", `/api/patients/${id}`)).patient;
      } catch {
        return null;
      }
    },
  );
  const href = () => `/patients/${props.patientId}`;
  return (
    <>
      <dt>Patient</dt>
      <dd data-testid="patient-contact">
        <a
          href={href()}
          onClick={(e) => {
            if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return; // new tab: let the browser do it
            e.preventDefault();
            navigate(href());
          }}
        >
          Open patient
        </a>
        <Show when={patient()}>
          {(p) => (
            <>
              <Show when={p().phone}>
                <br />
                <a href={`tel:${p().phone.replace(/[^\d+]/g, "")}`} data-testid="patient-phone">
                  {p().phone}
                </a>
              </Show>
              <Show when={p().email}>
                <br />
                <a href={`mailto:${p().email}`} data-testid="patient-email">
                  {p().email}
                </a>
              </Show>
            </>
          )}
        </Show>
      </dd>
    </>
  );
}
