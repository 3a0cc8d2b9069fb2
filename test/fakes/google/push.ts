// Push notifications as Google sends them: watch channels (HTTPS address only) answering
// {kind, id, resourceId, resourceUri, token, expiration}; a `sync` notification right after
// creation, `exists` on every change, with the X-Goog-* headers (X-Goog-Channel-Expiration
// included); channels expire; POST /channels/stop. Silent push loss (issue 9): an account
// with pushLost has its notifications dropped while its channels still look healthy (watch
// answers normally, nothing arrives).
import { err, json, rand } from "./http";
import { GOOGLE_TEST_HOST, type Account, type Calendar, type Channel } from "./types";
import { Later } from "../later";

export function resourceUri(cal: Calendar) {
  return `https://${GOOGLE_TEST_HOST}/calendar/v3/calendars/${encodeURIComponent(cal.id)}/events?alt=json`;
}

export class PushChannels {
  readonly channels = new Map<string, Channel>();
  /** Results of delivered notifications (status codes), for tests. */
  readonly deliveries: { channelId: string; state: string; status: number }[] = [];
  /** Notifications dropped by losePush, for tests. */
  readonly lost: { channelId: string; state: string }[] = [];
  private pending = new Later();

  constructor(
    /** Notifications are POSTed through `deliver` (set by the router, read at send time). */
    private readonly net: { deliver(req: Request): Promise<Response> },
    private readonly accounts: Map<string, Account>,
  ) {}

  /** POST …/events/watch. */
  watch(account: Account, cal: Calendar, b: Record<string, any>): Response {
    if (!b.id || b.type !== "web_hook" || !b.address) return err(400, "required", "Required");
    if (!/^https:\/\//.test(b.address)) return err(400, "push.webhookUrlNotHttps", "WebHook callback must be HTTPS: " + b.address);
    if (this.channels.has(b.id)) return err(400, "channelIdNotUnique", "Channel id not unique");
    if (b.token && String(b.token).length > 256) return err(400, "invalid", "Token too long");
    const ttl = b.params?.ttl ? Number(b.params.ttl) : 604_800;
    const ch: Channel = {
      id: b.id,
      resourceId: "res-" + rand(8),
      token: b.token,
      address: b.address,
      calendarId: cal.id,
      account: account.email,
      expiration: Date.now() + ttl * 1000,
      messageNumber: 0,
      stopped: false,
    };
    this.channels.set(ch.id, ch);
    this.queue(ch, "sync");
    return json({
      kind: "api#channel",
      id: ch.id,
      resourceId: ch.resourceId,
      resourceUri: resourceUri(cal),
      ...(ch.token ? { token: ch.token } : {}),
      expiration: String(ch.expiration),
    });
  }

  /** POST /channels/stop. */
  stop(b: Record<string, any>): Response {
    const ch = this.channels.get(b.id);
    if (!ch || ch.resourceId !== b.resourceId || ch.stopped) return err(404, "notFound", `Channel '${b.id}' not found for project`);
    ch.stopped = true;
    return new Response(null, { status: 204 });
  }

  active() {
    return [...this.channels.values()].filter((c) => !c.stopped && c.expiration > Date.now());
  }

  /** A calendar changed: `exists` on each of its live channels. */
  notify(cal: Calendar) {
    for (const ch of this.channels.values())
      if (ch.calendarId === cal.id && !ch.stopped && ch.expiration > Date.now()) this.queue(ch, "exists");
  }

  /** Waits until every queued notification was delivered. */
  settle() {
    return this.pending.settle();
  }

  private queue(ch: Channel, state: string) {
    const n = ++ch.messageNumber;
    // Delivered after the current request finishes, like Google's asynchronous push.
    this.pending.queue(() => this.send(ch, state, n));
  }

  async send(ch: Channel, state: string, n: number) {
    const account = this.accounts.get(ch.account)!;
    if (account.pushLost) {
      this.lost.push({ channelId: ch.id, state });
      return;
    }
    const cal = account.calendars.get(ch.calendarId)!;
    const headers: Record<string, string> = {
      "X-Goog-Channel-ID": ch.id,
      "X-Goog-Channel-Expiration": new Date(ch.expiration).toUTCString(),
      "X-Goog-Resource-ID": ch.resourceId,
      "X-Goog-Resource-URI": resourceUri(cal),
      "X-Goog-Resource-State": state,
      "X-Goog-Message-Number": String(n),
      "content-length": "0",
    };
    if (ch.token) headers["X-Goog-Channel-Token"] = ch.token;
    try {
      const res = await this.net.deliver(new Request(ch.address, { method: "POST", headers }));
      this.deliveries.push({ channelId: ch.id, state, status: res.status });
    } catch {
      this.deliveries.push({ channelId: ch.id, state, status: 0 });
    }
  }
}
