// Sections other features add to the Analytics page (e.g. the waitlist's slots freed / offered
// / refilled): push a { id, title, roles, render } here from the feature's own module and the
// page shows it after its own sections, with the same period and filters.
import type { JSX } from "solid-js";
import type { Options, Query } from "./analytics-api";

export interface ExtraSection {
  id: string;
  title: string;
  roles: Options["role"][];
  render: (q: Query) => JSX.Element;
}

export const extraSections: ExtraSection[] = [];
