// Typed calls for the Waitlist screen (worker/routes/waitlist.ts, waitlist-settings.ts).
import { createSignal } from "solid-js";
import { request } from "../api-client/client";

export interface Preference {
  days: number[];
  from: string;
  to: string;
}

export interface WaitlistEntry {
  id: string;
  patientId: string;
  patientName: string;
  doctorId: string | null;
  doctorName: string | null;
  type: string;
  minutes: number;
  earliestDate: string;
  latestDate: string;
  preferences: Preference[];
  channel: "sms" | "email";
  priority: number;
  note: string;
  state: "waiting" | "booked" | "removed" | "expired";
  appointmentId: string | null;
  /** The patient's later appointment an accepted offer moves earlier, or null (a new booking). */
  replacesAppointmentId: string | null;
  createdAt: string;
  lastOffer: { state: string; start: string; sentAt: string | null; openedAt: string | null; channel: string } | null;
}

export type NewEntry = Pick<WaitlistEntry, "patientId" | "doctorId" | "type" | "earliestDate" | "latestDate" | "preferences" | "channel" | "priority" | "note" | "replacesAppointmentId">;

export interface WaitlistOffer {
  id: string;
  entryId: string;
  doctorName: string;
  patientName: string;
  start: string;
  channel: string;
  state: string;
  /** Offered early for a held, unconfirmed time (see docs/waitlist.md, standby offers). */
  standby: boolean;
  error: string | null;
  sentAt: string | null;
  openedAt: string | null;
  answeredAt: string | null;
  expiresAt: string;
  createdAt: string;
}

export interface WaitlistStats {
  slotsFreed: number;
  slotsOffered: number;
  slotsRefilled: number;
  avgMinutesToRefill: number | null;
}

export interface WaitlistSettings {
  selfReschedule: boolean;
  rescheduleLimit: number;
  rescheduleDays: number;
  noRescheduleTypes: string[];
  waitlistMode: "parallel" | "sequential";
  waitlistParallel: number;
  waitlistReplyMinutes: number;
  sensitiveTypes: string[];
}

export const waitlistApi = {
  list: (q: { state?: "waiting" | "all"; patientId?: string } = {}) =>
    request<{ entries: WaitlistEntry[] }>("GET", `/api/waitlist?${new URLSearchParams(q as Record<string, string>)}`),
  add: (b: NewEntry) => request<{ entry: WaitlistEntry }>("POST", "/api/waitlist", b),
  update: (id: string, b: { priority?: number; state?: "removed" }) => request<{ entry: WaitlistEntry }>("PATCH", `/api/waitlist/${id}`, b),
  offers: () => request<{ offers: WaitlistOffer[] }>("GET", "/api/waitlist/offers"),
  stats: () => request<WaitlistStats>("GET", "/api/waitlist/stats"),
  settings: () => request<{ settings: WaitlistSettings }>("GET", "/api/waitlist/settings"),
  saveSettings: (b: Partial<WaitlistSettings>) => request<{ settings: WaitlistSettings }>("PUT", "/api/waitlist/settings", b),
};

// Bumped by the live connection on {kind:"waitlist"} (offers sent, opened, accepted, expired): open screens reload.
const [tick, setTick] = createSignal(0);
export const waitlistTick = tick;
export const waitlistChanged = () => setTick((n) => n + 1);

const DAY = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** "any time" · "mornings" · "Tue/Thu 15:00–24:00" */
export function describePreferences(prefs: Preference[]): string {
  if (!prefs.length) return "any time";
  return prefs
    .map((p) => {
      const days = p.days.length ? p.days.map((d) => DAY[d]).join("/") : "";
      const when =
        p.from === "00:00" && p.to === "12:00" ? "mornings" : p.from === "12:00" && p.to === "17:00" ? "afternoons" : p.from === "17:00" && p.to === "24:00" ? "evenings" : p.to === "24:00" ? `after ${p.from}` : p.from === "00:00" ? `before ${p.to}` : `${p.from}–${p.to}`;
      return [days, when].filter(Boolean).join(" ");
    })
    .join("; ");
}
