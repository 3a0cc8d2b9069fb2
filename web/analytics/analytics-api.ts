// Calls for the Analytics page (worker/routes/analytics.ts). The answers' shapes are the
// worker's own section results; the page only needs the parts typed here.
import { request } from "../api-client/client";
import type { Table } from "../../worker/analytics/tables";
import type { Group } from "../../worker/analytics/no-shows";
import type { Section } from "../../worker/analytics/scope";

export type { Section, Table };
/** A no-show rate with its label, n and 95% interval. */
export type Rate = Group;

export interface Options {
  role: "admin" | "doctor" | "receptionist";
  sections: Section[];
  doctors: { id: string; name: string }[];
  types: string[];
  defaultPeriod: { from: string; to: string };
  timeZone: string;
}

export interface Query {
  from: string;
  to: string;
  doctor: string;
  type: string;
  video: string;
}

export const queryString = (q: Query) => {
  const p = new URLSearchParams({ from: q.from, to: q.to });
  if (q.doctor) p.set("doctor", q.doctor);
  if (q.type) p.set("type", q.type);
  if (q.video) p.set("video", q.video);
  return p.toString();
};

export interface SectionResult {
  period: { from: string; to: string };
  tables: Table[];
  [k: string]: any;
}

export const analyticsApi = {
  options: () => request<Options>("GET", "/api/analytics/options"),
  section: (s: Section, q: Query) => request<SectionResult>("GET", `/api/analytics/${s}?${queryString(q)}`),
  csvUrl: (s: Section, q: Query) => `/api/analytics/${s}/csv?${queryString(q)}`,
};
