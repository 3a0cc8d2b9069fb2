// Who is logged in, and the clinic/doctors that every screen needs.
import { createSignal } from "solid-js";
import { api, ApiFailure, authListeners } from "../api-client/client";
import type { Clinic, Doctor, SessionUser } from "../api-client/types";

const [user, setUser] = createSignal<SessionUser | null>(null);
const [clinic, setClinic] = createSignal<Clinic | null>(null);
const [doctors, setDoctors] = createSignal<Doctor[]>([]);
const [status, setStatus] = createSignal<"checking" | "out" | "in">("checking");

export { user, clinic, doctors, status as sessionStatus };

/** The clinic's IANA zone; falls back to the browser's until /api/clinic answers. */
export const clinicTz = () => clinic()?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

async function loadClinicData() {
  // Both are needed before the calendar can draw; failures leave defaults and the banner shows.
  const [c, d] = await Promise.allSettled([api.clinic(), api.doctors()]);
  if (c.status === "fulfilled") setClinic(c.value.clinic);
  if (d.status === "fulfilled") setDoctors(d.value.doctors);
}

export async function restoreSession() {
  try {
    const { user } = await api.me();
    setUser(user);
    await loadClinicData();
    setStatus("in");
  } catch (e) {
    setStatus("out");
    if (!(e instanceof ApiFailure) || e.status !== 401) throw e;
  }
}

export async function logIn(email: string, password: string) {
  const { user } = await api.login(email, password);
  setUser(user);
  await loadClinicData();
  setStatus("in");
}

export async function logOut() {
  await api.logout().catch(() => {});
  setUser(null);
  setStatus("out");
}

authListeners.add(() => {
  setUser(null);
  setStatus("out");
});

/** A doctor changed (admin screens, or a live {kind:"doctor"} message): open calendars follow at once. */
export function upsertDoctor(d: Doctor & { active?: boolean }) {
  setDoctors((list) => {
    const rest = list.filter((x) => x.id !== d.id);
    if (d.active === false) return rest; // deactivated: no longer a calendar column
    return [...rest, d].sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** Reload the doctors (after an admin adds one: nobody is subscribed to a new doctor's changes yet). */
export async function refreshDoctors() {
  try {
    setDoctors((await api.doctors()).doctors);
  } catch {
    /* offline: the banner says so; the next load catches up */
  }
}

/** The clinic's settings were saved (Settings → Clinic): header name and zone follow. */
export function clinicSaved(c: Clinic) {
  setClinic(c);
}
