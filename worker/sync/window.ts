// How far back and ahead we mirror a doctor's calendar: clinics book up to a year ahead
// (lesson 17). Its own module because both inbound.ts (listings) and reconnect.ts (finding our
// own events after a reconnect) need it, and reconnect.ts importing inbound.ts closed an import
// circle (inbound → outbound → reconnect → inbound).
export const WINDOW_PAST_MS = 7 * 86_400_000;
export const WINDOW_AHEAD_MS = 400 * 86_400_000;
