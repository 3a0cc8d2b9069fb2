// Builds the CalDAV CalendarProvider for an integration row: the sealed credentials
// (account discovered at connect + app-specific password, AES-GCM sealed like OAuth
// tokens, bound to the integration id) are unsealed on first use, so providerFor()
// stays synchronous. The only D1 read is the clinic's name and domain for the VEVENT.
import type { Env } from "../../env";
import { seal, sealKeysFromEnv, unseal } from "../../auth/token-seal";
import { ReconnectRequiredError, type SendOptions } from "../http";
import type { CalendarProvider, OutboundAppointment, TimeWindow, WatchResult } from "../provider";
import { CalDavClient } from "./client";
import type { CalDavAccount } from "./discovery";
import type { ClinicInfo } from "./mapping";
import { DavTransport } from "./transport";

export interface CalDavSecret {
  account: CalDavAccount;
  password: string;
}

export const sealCalDav = (env: Env, integrationId: string, s: CalDavSecret) => seal(JSON.stringify(s), integrationId, sealKeysFromEnv(env));

export async function unsealCalDav(env: Env, integrationId: string, sealed: string | null): Promise<CalDavSecret> {
  if (!sealed) throw new ReconnectRequiredError("no credentials stored", 0, "no_tokens");
  return JSON.parse(await unseal(sealed, integrationId, sealKeysFromEnv(env))) as CalDavSecret;
}

export async function clinicInfoOf(env: Env, clinicId: string): Promise<ClinicInfo> {
  const r = await env.DB.prepare("SELECT name, domain FROM clinics WHERE id = ?").bind(clinicId).first<{ name: string; domain: string }>();
  return { name: r?.name ?? "ACMS", domain: r?.domain ?? "acms.example" };
}

interface Row {
  id: string;
  clinic_id: string;
  sealed_tokens: string | null;
}

/** A CalendarProvider that unseals the credentials on its first call. */
export class LazyCalDavProvider implements CalendarProvider {
  readonly name = "caldav" as const;
  readonly pushSupported = false;
  private client: Promise<CalDavClient> | null = null;

  constructor(
    private readonly env: Env,
    private readonly row: Row,
    private readonly timeZone: string,
    private readonly onReconnect: (reason: string) => Promise<void>,
    private readonly opts: SendOptions = {},
  ) {}

  get(): Promise<CalDavClient> {
    this.client ??= (async () => {
      const s = await unsealCalDav(this.env, this.row.id, this.row.sealed_tokens);
      const t = new DavTransport({ username: s.account.username, password: s.password }, this.env, { ...this.opts, onReconnect: this.onReconnect });
      let clinic: Promise<ClinicInfo> | null = null;
      return new CalDavClient(s.account, t, this.timeZone, () => (clinic ??= clinicInfoOf(this.env, this.row.clinic_id)));
    })();
    return this.client;
  }

  async listCalendars() {
    return (await this.get()).listCalendars();
  }
  async listChanges(calendarId: string, cursor: string | null, window: TimeWindow) {
    return (await this.get()).listChanges(calendarId, cursor, window);
  }
  async getEvent(calendarId: string, eventId: string) {
    return (await this.get()).getEvent(calendarId, eventId);
  }
  async upsertEvent(calendarId: string, appt: OutboundAppointment, etag: string | null) {
    return (await this.get()).upsertEvent(calendarId, appt, etag);
  }
  async deleteEvent(calendarId: string, eventId: string, etag: string | null) {
    return (await this.get()).deleteEvent(calendarId, eventId, etag);
  }
  async watch(): Promise<WatchResult> {
    return (await this.get()).watch();
  }
  async unwatch() {}
  async revoke() {}
}
