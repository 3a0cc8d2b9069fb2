// Subscriptions and notifications as Graph makes them: creation validates notificationUrl
// and lifecycleNotificationUrl with ?validationToken= (200 text/plain echo required, within
// 10 s, else the creation fails), max lifetime 10,080 minutes, PATCH renew, DELETE; change
// notifications with clientState, delivered asynchronously; lifecycle notifications on
// request; duplicates on request (Graph may duplicate).
import { gerr } from "./http";
import { json, rand } from "./identity";
import type { GraphStore } from "./store";
import { MAX_SUB_MINUTES, type Account, type StoredEvent, type Subscription } from "./types";
import { Later } from "../later";

/** What the subscriptions read from the emulator (live: tests swap `deliver` and flip the switch). */
export interface NotifyContext {
  now(): number;
  deliver(req: Request): Promise<Response>;
  /** Send each change notification twice. */
  readonly duplicateNotifications: boolean;
}

export type Delivery = { kind: "validation" | "change" | "lifecycle"; subscriptionId: string | null; status: number; ms: number };

export class Subscriptions {
  readonly all = new Map<string, Subscription>();
  /** Deliveries made (notifications, validations), with our Worker's answer. */
  readonly deliveries: Delivery[] = [];
  private pending = new Later();

  constructor(
    private readonly env: NotifyContext,
    private readonly db: GraphStore,
  ) {}

  active(email?: string) {
    return [...this.all.values()].filter((s) => !s.deleted && s.expiration > this.env.now() && (!email || s.account === email));
  }
  settle() {
    return this.pending.settle();
  }

  private subJson(s: Subscription) {
    return { id: s.id, resource: s.resource, changeType: "created,updated,deleted", notificationUrl: s.notificationUrl, lifecycleNotificationUrl: s.lifecycleUrl, expirationDateTime: new Date(s.expiration).toISOString(), clientState: null };
  }

  /** POST /subscriptions. */
  async subscribe(acct: Account, b: any): Promise<Response> {
    const m = String(b?.resource ?? "").match(/^\/?me\/calendars\/([^/]+)\/events$/);
    const cal = m ? acct.calendars.get(m[1]) : undefined;
    if (!cal) return gerr(400, "InvalidRequest", "Resource not supported or not found.");
    const exp = Date.parse(b.expirationDateTime ?? "");
    if (Number.isNaN(exp) || exp <= this.env.now()) return gerr(400, "InvalidRequest", "expirationDateTime is required and must be in the future.");
    if (exp - this.env.now() > MAX_SUB_MINUTES * 60_000) return gerr(400, "InvalidRequest", "Subscription expiration can only be 10080 minutes in the future.");
    if (typeof b.clientState === "string" && b.clientState.length > 128) return gerr(400, "InvalidRequest", "clientState is longer than 128 characters.");
    if (!String(b.notificationUrl).startsWith("https://")) return gerr(400, "InvalidRequest", "notificationUrl must be HTTPS.");
    for (const u of [b.notificationUrl, b.lifecycleNotificationUrl].filter(Boolean)) {
      const token = `Validation: Testing client application reachability for subscription Request-Id: ${rand(8)}`;
      const target = new URL(u);
      target.searchParams.set("validationToken", token);
      const t0 = Date.now();
      let ok = false;
      let status = 0;
      try {
        const res = await this.env.deliver(new Request(target, { method: "POST", headers: { "content-type": "text/plain; charset=utf-8" } }));
        status = res.status;
        const text = await res.text();
        ok = res.status === 200 && (res.headers.get("content-type") ?? "").startsWith("text/plain") && text === token && Date.now() - t0 < 10_000;
      } catch {
        ok = false;
      }
      this.deliveries.push({ kind: "validation", subscriptionId: null, status, ms: Date.now() - t0 });
      if (!ok) return gerr(400, "ValidationError", `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request (${u}).`);
    }
    const s: Subscription = { id: crypto.randomUUID(), account: acct.email, calendarId: cal.id, resource: b.resource, notificationUrl: b.notificationUrl, lifecycleUrl: b.lifecycleNotificationUrl ?? null, clientState: b.clientState ?? "", expiration: exp, deleted: false };
    this.all.set(s.id, s);
    return json(this.subJson(s), 201);
  }

  /** PATCH /subscriptions/{id}: renew. */
  renew(s: Subscription, parsed: any): Response {
    const exp = Date.parse(parsed?.expirationDateTime ?? "");
    if (Number.isNaN(exp) || exp - this.env.now() > MAX_SUB_MINUTES * 60_000) return gerr(400, "ExtensionError", "Subscription expiration can only be 10080 minutes in the future.");
    s.expiration = exp;
    return json(this.subJson(s));
  }

  /** An event was stored: a change notification to each live subscription of its calendar. */
  changed(e: StoredEvent) {
    for (const s of this.all.values())
      if (!s.deleted && s.account === e.account && s.calendarId === e.calendarId && s.expiration > this.env.now()) this.queueNotify(s, e);
  }

  /** Sends a lifecycle notification for a subscription. */
  lifecycle(subscriptionId: string, lifecycleEvent: "reauthorizationRequired" | "subscriptionRemoved" | "missed", clientState?: string) {
    const s = this.all.get(subscriptionId)!;
    if (lifecycleEvent === "subscriptionRemoved") s.deleted = true;
    const body = { value: [{ subscriptionId: s.id, subscriptionExpirationDateTime: new Date(s.expiration).toISOString(), lifecycleEvent, clientState: clientState ?? s.clientState, tenantId: "t" }] };
    return this.post(s.lifecycleUrl ?? s.notificationUrl, body, "lifecycle", s.id);
  }
  /** Sends a raw change notification body (forged / replayed notifications). */
  rawNotify(url: string, body: unknown) {
    return this.post(url, body, "change", null);
  }
  /** Replays the last change notification of a subscription. */
  renotify(subscriptionId: string) {
    const s = this.all.get(subscriptionId)!;
    return this.post(s.notificationUrl, this.changeBody(s, "updated", "x"), "change", s.id);
  }

  private changeBody(s: Subscription, changeType: string, id: string) {
    return {
      value: [
        {
          subscriptionId: s.id,
          subscriptionExpirationDateTime: new Date(s.expiration).toISOString(),
          changeType,
          resource: `Users/${this.db.acct(s.account).id}/Events/${id}`,
          resourceData: { "@odata.type": "#Microsoft.Graph.Event", "@odata.id": `Users/${this.db.acct(s.account).id}/Events/${id}`, id },
          clientState: s.clientState,
          tenantId: "t",
        },
      ],
    };
  }

  private queueNotify(s: Subscription, e: StoredEvent) {
    const body = this.changeBody(s, e.deleted ? "deleted" : "updated", e.id);
    const times = this.env.duplicateNotifications ? 2 : 1;
    for (let i = 0; i < times; i++) {
      // Delivered after the current request finishes, like Graph's asynchronous notifications.
      this.pending.queue(() => this.post(s.notificationUrl, body, "change", s.id));
    }
  }

  private async post(url: string, body: unknown, kind: "change" | "lifecycle", subscriptionId: string | null) {
    const t0 = Date.now();
    try {
      const res = await this.env.deliver(new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
      this.deliveries.push({ kind, subscriptionId, status: res.status, ms: Date.now() - t0 });
      return res.status;
    } catch {
      this.deliveries.push({ kind, subscriptionId, status: 0, ms: Date.now() - t0 });
      return 0;
    }
  }
}
