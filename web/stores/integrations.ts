// The signed-in doctor's own calendar integrations, for the app-wide "reconnect" banner.
// Refreshed on sign-in, on live {kind:"integration"} changes for their doctor, and after
// the settings page changes something.
import { createMemo, createSignal } from "solid-js";
import { api } from "../api-client/client";
import type { Integration } from "../api-client/types";
import { user } from "./session";

const [mine, setMine] = createSignal<Integration[]>([]);
export { mine as myIntegrations };

/** Integrations whose grant died (revoked or expired refresh token): the doctor must connect again. */
export const needingReconnect = createMemo(() => mine().filter((i) => i.status === "needs_reconnect"));

export async function loadMyIntegrations() {
  const me = user();
  if (me?.role !== "doctor") return void setMine([]);
  try {
    const { integrations } = await api.integrations();
    setMine(integrations.filter((i) => !i.doctorId || i.doctorId === me.doctorId));
  } catch {
    /* sync not available on this server, or offline: no banner */
  }
}

export function clearMyIntegrations() {
  setMine([]);
}

/** Start a provider's OAuth connect flow: "Connect Google Calendar" and "Reconnect" alike. */
export async function connectProvider(provider: string) {
  if (provider === "google") location.href = (await api.connectGoogle()).authorizeUrl;
  else if (provider === "microsoft") location.href = (await api.connectMicrosoft()).authorizeUrl;
  // CalDAV has no OAuth: reconnecting is the same form with a new app-specific password.
  else if (provider === "caldav") location.href = "/settings/integrations#caldav-connect";
  else throw new Error("Reconnecting this provider is not available yet.");
}

export const providerLabel = (p: string) =>
  p === "google" ? "Google Calendar" : p === "microsoft" ? "Microsoft Outlook / 365" : p === "caldav" ? "Apple iCloud (CalDAV)" : p;
