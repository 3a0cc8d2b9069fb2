// Bindings and per-request context variables, declared once for the whole Worker.
// This file imports no Durable Object class: nearly every module imports Env, and a class
// import here put the whole Worker (hub → write path → features → sync → providers → env)
// into one import circle. Each class adds itself to DurableObjectClasses instead (see below).
import type { Role } from "./db/schema";

/**
 * The Durable Object class behind each binding, filled in by the class's own module through
 * declaration merging (`declare module "../env" { interface DurableObjectClasses { … } }` in
 * hub/doctor-hub.ts and live/clinic-live.ts), so stubs keep the class's typed RPC methods.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging
export interface DurableObjectClasses {}

/** The class registered for a binding, or an untyped namespace where none is (a program without that module). */
type DurableObjectClass<K extends string> = DurableObjectClasses extends Record<K, infer C extends Rpc.DurableObjectBranded> ? C : undefined;

export interface Env {
  DB: D1Database;
  DOCTOR_HUB: DurableObjectNamespace<DurableObjectClass<"DOCTOR_HUB">>;
  CLINIC_LIVE: DurableObjectNamespace<DurableObjectClass<"CLINIC_LIVE">>;
  ASSETS?: Fetcher;
  EMAIL?: SendEmail;

  APP_URL: string;
  SESSION_SECRET: string;
  /** JSON object of key id → base64 AES-256 key; see auth/token-seal.ts. */
  TOKEN_KEYS?: string;
  TOKEN_KEY_CURRENT?: string;
  EMAIL_FROM?: string;

  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
  GOOGLE_OAUTH_AUTHORIZE_URL?: string;
  GOOGLE_OAUTH_TOKEN_URL?: string;
  GOOGLE_OAUTH_REVOKE_URL?: string;
  GOOGLE_API_BASE?: string;
  /** Microsoft identity platform + Graph (Outlook sync); empty client id: Outlook sync off. */
  MICROSOFT_CLIENT_ID?: string;
  MICROSOFT_CLIENT_SECRET?: string;
  /** Tenant segment of the login URLs: common (default) | organizations | consumers | a tenant id. */
  MICROSOFT_TENANT?: string;
  MICROSOFT_LOGIN_BASE?: string;
  MICROSOFT_GRAPH_BASE?: string;
  /** Public HTTPS base for webhooks (defaults to APP_URL). */
  WEBHOOK_BASE_URL?: string;
  /** Subscribable .ics feeds: days of history and of future they cover (defaults 30 and 365). */
  /** "1" only under `npm run bench` (bench/cost.bench.mjs): turns on worker/bench-meter.ts. */
  BENCH_METER?: string;
  FEED_DAYS_BACK?: string;
  FEED_DAYS_AHEAD?: string;

  // SMS reminders (Twilio; see worker/sms/twilio.ts). TWILIO_AUTH_TOKEN is a secret.
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_FROM?: string;
  TWILIO_MESSAGING_SERVICE_SID?: string;
  TWILIO_API_BASE?: string;
  /** Country calling code for national numbers ("44"): how "07700 900123" becomes +447700900123. */
  SMS_DEFAULT_COUNTRY_CODE?: string;
  /** Self-hosted Jitsi with token auth (worker/video/jitsi.ts); JITSI_APP_SECRET is a secret. */
  JITSI_APP_ID?: string;
  JITSI_APP_SECRET?: string;
  /** Dev/test only: "1" lets CalDAV server URLs use plain http on a loopback host (Radicale in tests). */
  CALDAV_ALLOW_HTTP_LOOPBACK?: string;
}

/** The authenticated caller, set by the session middleware. */
export interface SessionUser {
  userId: string;
  clinicId: string;
  role: Role;
  email: string;
  name: string;
  /** The doctor record linked to this user, if the user is a doctor. */
  doctorId: string | null;
}

export interface AppVariables {
  user: SessionUser;
  requestId: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
