// The SPA's calls to /api/suggestions (worker/suggestions/routes.ts). Types come from the
// worker modules (type-only imports), so both sides agree on the shapes.
import { request } from "../api-client/client";
import type { Risk } from "../../worker/suggestions/model";
import type { SlotQuery, Suggestion } from "../../worker/suggestions/rank";
import type { Understood } from "../../worker/suggestions/parse-request";
import type { SuggestionSettings } from "../../worker/suggestions/settings";

export type { Risk, Suggestion, Understood, SuggestionSettings };

export interface ModelSummary {
  kind: "trained" | "default";
  trainedAt: number | null;
  trainingSize: number;
  baseRate: number;
}

/** The ranking's query (worker/suggestions/rank.ts) plus the words and the dialog's defaults. */
export type SlotsRequest = Omit<SlotQuery, "limit"> & { request?: string; defaults?: { doctorId?: string; minutes?: number } };

export interface CallItem {
  appointmentId: string;
  start: string;
  patientName: string;
  phone: string;
  doctorName: string;
  type: string;
  risk: Risk;
}

export const suggestionsApi = {
  risks: (from: string, to: string) => request<{ model: ModelSummary; risks: Record<string, Risk> }>("GET", `/api/suggestions/risk?${new URLSearchParams({ from, to })}`),
  risk: (id: string) => request<{ model: ModelSummary; risk: Risk | null }>("GET", `/api/suggestions/risk/${id}`),
  callList: () => request<{ date: string; model: ModelSummary; calls: CallItem[] }>("GET", "/api/suggestions/call-list"),
  slots: (body: SlotsRequest) =>
    request<{ understood: Understood; summary: string; timeZone: string; model: { kind: string; baseRate: number }; suggestions: Suggestion[] }>("POST", "/api/suggestions/slots", body),
  settings: () => request<{ settings: SuggestionSettings; model: ModelSummary }>("GET", "/api/suggestions/settings"),
  saveSettings: (s: Partial<SuggestionSettings>) => request<{ settings: SuggestionSettings }>("PUT", "/api/suggestions/settings", s),
};
