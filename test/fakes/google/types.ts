// The Google emulator's data model (see ./emulator.ts for what it emulates): accounts with
// their calendars, stored events, push channels and injected faults.

export const GOOGLE_TEST_HOST = "google.test";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The account whose access token the request carried (API calls). */
  account?: string;
}

export interface Account {
  email: string;
  calendars: Map<string, Calendar>;
  /** Per-user rate limit: API calls answer 429/403 until then. */
  limitedUntil?: number;
  limitedStatus?: 429 | 403;
  /** Notifications for this account are silently dropped. */
  pushLost?: boolean;
}
export interface Calendar {
  id: string;
  summary: string;
  primary: boolean;
  accessRole: "owner" | "writer" | "reader";
  timeZone: string;
  events: Map<string, StoredEvent>;
  /** Sync tokens minted before this sequence number are invalid (410). */
  tokensValidFrom: number;
}
export interface StoredEvent {
  data: Record<string, any>;
  seq: number; // sequence of the last change
}
export interface Channel {
  id: string;
  resourceId: string;
  token?: string;
  address: string;
  calendarId: string;
  account: string;
  expiration: number;
  messageNumber: number;
  stopped: boolean;
}
export interface Fault {
  status: number;
  reason: string;
  retryAfter?: string;
  match?: (r: Request) => boolean;
}
