// The Graph emulator's data model (see ./emulator.ts for what it emulates): mailboxes with
// their calendars, stored events, subscriptions and injected faults.

export const GRAPH_TEST_HOST = "graph.microsoft.test";
export const LOGIN_TEST_HOST = "login.microsoft.test";
/** Graph's maximum subscription lifetime for Outlook events, in minutes. */
export const MAX_SUB_MINUTES = 10_080;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
export interface Account {
  email: string;
  id: string;
  work: boolean;
  calendars: Map<string, Calendar>;
}
export interface Calendar {
  id: string;
  name: string;
  isDefault: boolean;
  canEdit: boolean;
  account: string;
}
export interface StoredEvent {
  id: string;
  calendarId: string;
  account: string;
  changeKey: string;
  lastModified: number;
  seq: number;
  deleted: boolean;
  data: Record<string, any>; // subject, body, showAs, sensitivity, isAllDay, isCancelled, type, seriesMasterId, responseStatus, ...
  startMs: number;
  endMs: number;
  /** For all-day events: the dates (end exclusive). */
  allDay: { start: string; end: string } | null;
  props: Map<string, string>;
  transactionId: string | null;
}
export interface Subscription {
  id: string;
  account: string;
  calendarId: string;
  resource: string;
  notificationUrl: string;
  lifecycleUrl: string | null;
  clientState: string;
  expiration: number;
  deleted: boolean;
}
export interface Fault {
  status: number;
  code: string;
  retryAfter?: string;
  match?: (r: Request) => boolean;
}
