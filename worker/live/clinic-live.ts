// ClinicLive: one Durable Object per clinic (idFromName(clinicId)) that fans out changes
// to every open calendar screen of that clinic over hibernatable WebSockets, with a
// sequence number per clinic and a replay log so a reconnecting client misses nothing.
//
// - The Worker route (routes/live.ts) authenticates the session and forwards the upgrade
//   with X-ACMS-* headers; this object is reachable only through that binding, so it
//   trusts them. Each socket's state (clinic, user, session expiry, subscribed doctors)
//   lives in its serialized attachment, so it survives hibernation and eviction.
// - publish(change): seq = last + 1 (a counter in this object's SQLite storage), the
//   change is logged, then sent to every socket subscribed to change.doctorId.
// - {type:"subscribe", doctorIds, since?}: replays logged changes with seq > since for
//   those doctors, then the socket is live; if `since` is older than the log (it keeps
//   the last LOG_MAX changes, at most LOG_MAX_AGE_MS old) the client gets {type:"resync"}
//   and reloads its range. Replay and "now live" happen without an await in between, so
//   no publish can slip between them.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { ClientMessage, LiveChange, ServerMessage } from "./messages";

declare module "../env" {
  /** env.CLINIC_LIVE stubs are typed with this class's RPC methods (env.ts imports no DO class). */
  interface DurableObjectClasses {
    CLINIC_LIVE: ClinicLive;
  }
}

export const LOG_MAX = 2000;
export const LOG_MAX_AGE_MS = 3 * 86_400_000;
const MAX_DOCTORS = 200;

/** Headers the Worker sets when forwarding an authenticated upgrade (never read from clients). */
export const LIVE_HEADERS = { clinic: "x-acms-clinic", user: "x-acms-user", role: "x-acms-role", exp: "x-acms-exp", session: "x-acms-session" } as const;

interface Attachment {
  clinicId: string;
  userId: string;
  role: string;
  /** Session expiry (epoch ms): the socket is closed once it passes. */
  exp: number;
  /** The session's token id (jti), so a log-out can close exactly its sockets. */
  jti?: string;
  doctorIds: string[];
  live: boolean;
}

export class ClinicLive extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS live_meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS live_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, doctor_id TEXT NOT NULL, body TEXT NOT NULL);`);
    // Answer keep-alive pings without waking the object from hibernation.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  /**
   * The latest sequence number handed out (0 before the first change). Read from storage once
   * per object lifetime: this object is the counter's only writer and its storage calls are
   * synchronous, so the memory copy cannot go stale; a SELECT per publish was a storage call on
   * every booking's live path (issue #18).
   */
  currentSeq(): number {
    this.seq ??= this.sql.exec<{ v: number }>("SELECT v FROM live_meta WHERE k = 'seq'").toArray()[0]?.v ?? 0;
    return this.seq;
  }

  private seq: number | undefined;

  async publish(change: LiveChange): Promise<number> {
    const seq = this.currentSeq() + 1;
    const now = Date.now();
    const body = JSON.stringify(change);
    this.sql.exec("INSERT INTO live_meta (k, v) VALUES ('seq', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", seq);
    this.seq = seq; // after the write: had it thrown, the next publish reads the stored value again
    this.sql.exec("INSERT INTO live_log (seq, at, doctor_id, body) VALUES (?, ?, ?, ?)", seq, now, change.doctorId, body);
    if (seq % 50 === 0) this.sql.exec("DELETE FROM live_log WHERE seq <= ? OR at < ?", seq - LOG_MAX, now - LOG_MAX_AGE_MS);
    const msg = `{"type":"change","seq":${seq},"change":${body}}`;
    const only = noticeUser(change);
    for (const ws of this.ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as Attachment | null;
      if (!a?.live || !a.doctorIds.includes(change.doctorId) || (only !== undefined && a.userId !== only)) continue;
      if (a.exp <= now) {
        this.closeQuietly(ws, 4001, "session expired");
        continue;
      }
      try {
        ws.send(msg);
      } catch {
        // A socket closing right now: its close handler cleans up.
      }
    }
    return seq;
  }

  /** Several changes in one RPC (a sync pull that stored hundreds of busy blocks), each with its own seq. */
  async publishMany(changes: LiveChange[]): Promise<number> {
    let seq = this.currentSeq();
    for (const c of changes) seq = await this.publish(c);
    return seq;
  }

  /**
   * A session ended server-side (auth/session-store.ts): close its open sockets now
   * rather than at the token's expiry. Without `jti`, every socket of the user (password
   * change or reset, disabling, role change). Returns how many were closed.
   */
  async endSessions(userId: string, jti?: string): Promise<number> {
    let n = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as Attachment | null;
      if (!a || a.userId !== userId || (jti !== undefined && a.jti !== jti)) continue;
      this.closeQuietly(ws, 4001, "session ended");
      n++;
    }
    return n;
  }

  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("Expected a WebSocket upgrade", { status: 426 });
    const clinicId = request.headers.get(LIVE_HEADERS.clinic);
    const userId = request.headers.get(LIVE_HEADERS.user);
    if (!clinicId || !userId) return new Response("Forbidden", { status: 403 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [clinicId]);
    const att: Attachment = {
      clinicId,
      userId,
      role: request.headers.get(LIVE_HEADERS.role) ?? "",
      exp: Number(request.headers.get(LIVE_HEADERS.exp)) || Date.now() + 8 * 3_600_000,
      jti: request.headers.get(LIVE_HEADERS.session) ?? undefined,
      doctorIds: [],
      live: false,
    };
    server.serializeAttachment(att);
    this.send(server, { type: "hello", seq: this.currentSeq() });
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const a = ws.deserializeAttachment() as Attachment | null;
    if (!a) return this.closeQuietly(ws, 1011, "lost state");
    if (a.exp <= Date.now()) return this.closeQuietly(ws, 4001, "session expired");
    const msg = parseClientMessage(data);
    if (!msg) return this.send(ws, { type: "error", error: { code: "bad_message", message: "Send {type:'subscribe', doctorIds:[…], since?}." } });
    if (msg.type === "ping") return this.send(ws, { type: "pong" });
    const current = this.currentSeq();
    const since = msg.since;
    ws.serializeAttachment({ ...a, doctorIds: msg.doctorIds, live: true } satisfies Attachment);
    if (since !== undefined && since < current) {
      const oldest = this.sql.exec<{ s: number | null }>("SELECT min(seq) AS s FROM live_log").toArray()[0]?.s ?? current + 1;
      if (since < oldest - 1) {
        this.send(ws, { type: "resync", reason: "The changes since your last update are no longer kept; reload the range." });
      } else if (msg.doctorIds.length) {
        const rows = this.sql
          .exec<{ seq: number; body: string }>(
            `SELECT seq, body FROM live_log WHERE seq > ? AND doctor_id IN (${msg.doctorIds.map(() => "?").join(",")}) ORDER BY seq`,
            since,
            ...msg.doctorIds,
          )
          .toArray();
        for (const r of rows) {
          // Notices are logged as JSON like every change; only their own user gets them replayed.
          if (r.body.includes('"kind":"notice"') && noticeUser(JSON.parse(r.body) as LiveChange) !== a.userId) continue;
          ws.send(`{"type":"change","seq":${r.seq},"change":${r.body}}`);
        }
      }
    } else if (since !== undefined && since > current) {
      this.send(ws, { type: "resync", reason: "Unknown resume point; reload the range." });
    }
    this.send(ws, { type: "subscribed", doctorIds: msg.doctorIds, seq: current });
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    this.closeQuietly(ws, 1011, "error");
  }

  private send(ws: WebSocket, msg: ServerMessage) {
    try {
      ws.send(JSON.stringify(msg));
    } catch {
      // closed meanwhile
    }
  }

  private closeQuietly(ws: WebSocket, code: number, reason: string) {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }
}

/**
 * A notice is one user's (a sync conflict for the doctor, a patient's reply for the doctor, a
 * waitlist fill for who asked): it goes to that user's sockets only, not to every screen watching
 * the doctor. Undefined for every other change.
 */
function noticeUser(change: LiveChange): string | undefined {
  if (change.kind !== "notice") return undefined;
  const userId = (change.record as { userId?: unknown } | null)?.userId;
  return typeof userId === "string" ? userId : "";
}

const ID = /^[0-9a-f]{32}$/;

function parseClientMessage(data: string | ArrayBuffer): ClientMessage | null {
  if (typeof data !== "string" || data.length > 16_384) return null;
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return null;
  }
  if (!m || typeof m !== "object") return null;
  const o = m as Record<string, unknown>;
  if (o.type === "ping") return { type: "ping" };
  if (o.type !== "subscribe" || !Array.isArray(o.doctorIds) || o.doctorIds.length > MAX_DOCTORS) return null;
  if (!o.doctorIds.every((d) => typeof d === "string" && ID.test(d))) return null;
  if (o.since !== undefined && !(Number.isSafeInteger(o.since) && (o.since as number) >= 0)) return null;
  return { type: "subscribe", doctorIds: [...new Set(o.doctorIds as string[])], since: o.since as number | undefined };
}
