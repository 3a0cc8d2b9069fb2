// The live connection: ONE WebSocket to /api/live for the whole app (started by App.tsx on
// sign-in, whatever page is open), subscribed to every doctor of the clinic, resuming from the
// last seq seen. Every doctor, not only the ones on screen: notices for the user travel under a
// doctor's id, so a filtered calendar or the Settings page must still receive them; the calendar
// filters what it draws itself. Reconnects with exponential backoff (capped, jittered).
import { createSignal } from "solid-js";
import type { Appointment, BlockedTime, ClientMessage, Doctor, LiveChange, ServerMessage } from "../api-client/types";
import { reloadRange, removeAppointment, removeBlocked, upsertAppointment, upsertBlocked } from "./appointments";
import { loadMyIntegrations } from "./integrations";
import { loadNotices, noticeArrived } from "./notices";
import { upsertDoctor, user } from "./session";
import { waitlistChanged } from "../waitlist/waitlist-api";

export type LiveState = "connecting" | "live" | "offline";
const [state, setState] = createSignal<LiveState>("offline");
export { state as liveState };

let ws: WebSocket | null = null;
let lastSeq: number | undefined;
let doctorIds: string[] = [];
let attempt = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let stopped = true;

/** Every live change as it arrives (e.g. the booking dialog refreshes its free times). */
export const changeListeners = new Set<(c: LiveChange) => void>();

function send(msg: ClientMessage) {
  if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function subscribe() {
  send({ type: "subscribe", doctorIds, ...(lastSeq !== undefined ? { since: lastSeq } : {}) });
}

function onMessage(ev: MessageEvent) {
  let msg: ServerMessage;
  try {
    msg = JSON.parse(String(ev.data));
  } catch {
    return;
  }
  if (msg.type === "hello") {
    setState("live");
    attempt = 0;
    // First connection: the range was just loaded, start from here.
    if (lastSeq === undefined) lastSeq = msg.seq;
  } else if (msg.type === "change") {
    lastSeq = Math.max(lastSeq ?? 0, msg.seq);
    const c = msg.change;
    changeListeners.forEach((l) => l(c));
    if (c.kind === "appointment") {
      if (c.op === "deleted") removeAppointment((c.record as { id: string }).id);
      else upsertAppointment(c.record as Appointment);
    } else if (c.kind === "blocked") {
      if (c.op === "deleted") removeBlocked((c.record as { id: string }).id);
      else upsertBlocked(c.record as BlockedTime);
    } else if (c.kind === "notice") {
      noticeArrived(c.record as Parameters<typeof noticeArrived>[0]);
    } else if (c.kind === "doctor") {
      // Hours, slot length, colour or name edited in the admin screens: shading and columns follow.
      upsertDoctor(c.record as Doctor);
    } else if (c.kind === "waitlist") {
      waitlistChanged();
    } else if (c.kind === "integration" && c.doctorId === user()?.doctorId) {
      // My integration changed (e.g. "needs reconnect"): the banner and the notice that came with it.
      void loadMyIntegrations();
      void loadNotices(true).catch(() => {});
    }
  } else if (msg.type === "resync") {
    void reloadRange().catch(() => {});
  }
}

function connect() {
  if (stopped) return;
  setState("connecting");
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/live`;
  const sock = new WebSocket(url);
  ws = sock;
  sock.onopen = () => subscribe();
  sock.onmessage = onMessage;
  sock.onclose = () => {
    if (ws !== sock) return;
    ws = null;
    setState("offline");
    scheduleReconnect();
  };
  sock.onerror = () => sock.close();
}

function scheduleReconnect() {
  if (stopped) return;
  clearTimeout(retryTimer);
  const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
  attempt++;
  retryTimer = setTimeout(connect, delay);
}

export function startLive(ids: string[]) {
  doctorIds = ids;
  if (!stopped) return subscribe();
  stopped = false;
  connect();
}

/** The clinic's doctors changed (one added or removed): resubscribe on the same socket. */
export function setLiveDoctors(ids: string[]) {
  doctorIds = ids;
  subscribe();
}

export function stopLive() {
  stopped = true;
  clearTimeout(retryTimer);
  ws?.close();
  ws = null;
  setState("offline");
}

// Coming back online or to the tab: reconnect at once instead of waiting out the backoff.
if (typeof window !== "undefined") {
  const kick = () => {
    if (!stopped && !ws) {
      attempt = 0;
      clearTimeout(retryTimer);
      connect();
    }
  };
  window.addEventListener("online", kick);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && kick());
}
