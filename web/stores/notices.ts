// The signed-in user's notices (sync conflicts, "reconnect Google"): loaded from
// GET /api/notices, kept fresh by the live socket (notice created / integration changed)
// and by a slow poll for screens without a socket; marking read goes to the server first.
import { createMemo, createSignal } from "solid-js";
import { api } from "../api-client/client";
import type { Notice } from "../api-client/types";
import { toast } from "../ui/toast";
import { user } from "./session";

const POLL_MS = 60_000;

const [notices, setNotices] = createSignal<Notice[]>([]);
// False until the signed-in user's list has been fetched once: an empty bell is then "no unread
// notices", not "not loaded yet" (the bell says so with aria-busy).
const [loaded, setLoaded] = createSignal(false);
export { notices, loaded as noticesLoaded };
export const unreadCount = createMemo(() => notices().filter((n) => !n.readAt).length);

let pollTimer: ReturnType<typeof setInterval> | undefined;
let loadedFor: string | null = null;
// Bumped by every change made here (marked read, arrived live). A list fetched while one happened
// may predate it — e.g. the 60-second poll answering after "Mark all read" — and would bring the
// unread count back: such an answer is dropped and the list fetched again.
let generation = 0;

const newestFirst = (a: Notice, b: Notice) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0);

/** Reload the list; notices not seen before are announced with a toast when `announce`. */
export async function loadNotices(announce = false) {
  const me = user();
  if (!me) return;
  let list: Notice[] = [];
  for (let tries = 0; ; tries++) {
    const gen = generation;
    list = (await api.notices()).notices;
    if (user()?.userId !== me.userId) return; // logged out / switched meanwhile
    if (gen === generation) break;
    if (tries >= 2) return; // still changing locally: keep what we have, the next poll catches up
  }
  const known = new Set(notices().map((n) => n.id));
  if (announce && loadedFor === me.userId) for (const n of list) if (!known.has(n.id) && !n.readAt) toast(n.message, "info", 10_000);
  loadedFor = me.userId;
  setNotices(list);
  setLoaded(true);
}

export function startNotices() {
  stopNotices();
  void loadNotices().catch(() => {});
  pollTimer = setInterval(() => void loadNotices(true).catch(() => {}), POLL_MS);
}

export function stopNotices() {
  clearInterval(pollTimer);
  pollTimer = undefined;
  loadedFor = null;
  setNotices([]);
  setLoaded(false);
}

/** A live {kind:"notice"} record (worker/sync/notify.ts publishNotice): for me → show it at once. */
export function noticeArrived(record: { id?: string; userId?: string; kind?: string; message?: string; entityType?: string | null; entityId?: string | null; createdAt?: string }) {
  const me = user();
  if (!me || !record.id || record.userId !== me.userId) return;
  if (notices().some((n) => n.id === record.id)) return;
  const n: Notice = {
    id: record.id,
    kind: record.kind ?? "notice",
    message: record.message ?? "",
    entityType: record.entityType ?? null,
    entityId: record.entityId ?? null,
    readAt: null,
    createdAt: record.createdAt ?? new Date().toISOString(),
  };
  generation++;
  setNotices((l) => [n, ...l].sort(newestFirst));
  toast(n.message, "info", 10_000);
}

export async function markRead(id: string) {
  const { notice } = await api.readNotice(id);
  generation++;
  setNotices((l) => l.map((n) => (n.id === id ? notice : n)));
}

export async function markAllRead() {
  const unread = notices().filter((n) => !n.readAt);
  // No bulk route: one POST each (a user has few unread notices; at most 100 are listed).
  await Promise.all(unread.map((n) => markRead(n.id)));
}
