// Sections other features add to the Analytics page (e.g. the waitlist's slots freed / offered
// / refilled): add a { id, title, roles, render } here and the page shows it after its own
// sections, with the same period and filters, when the server lists `id` among the caller's
// sections (GET /api/analytics/options). `render` brings its own frame (SectionFrame: heading,
// numbers table, audited CSV).
import { createComponent, type JSX } from "solid-js";
import type { Options, Query } from "./analytics-api";
import { WaitlistSection } from "./WaitlistSection";

export interface ExtraSection {
  id: string;
  title: string;
  roles: Options["role"][];
  render: (q: Query) => JSX.Element;
}

export const extraSections: ExtraSection[] = [
  { id: "waitlist", title: "Waitlist: freed slots refilled", roles: ["admin", "doctor", "receptionist"], render: (query) => createComponent(WaitlistSection, { query }) },
];
