// DoctorHub: one Durable Object per doctor (id = idFromName(doctorId)).
// It serializes every write to that doctor's calendar (bookings, blocked time,
// sync results), runs the doctor's background work single-flight, and forwards
// each committed change to the clinic's live channel.
// D1 stays the source of truth: the hub keeps no copy of appointments.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { SessionClaims } from "../auth/session";
import type { LiveChange } from "../live/messages";
import { Serial } from "./serial";
import { type HubContext, hubWork, runHubWork } from "./work";
import {
  type Caller,
  type CreateInput,
  type UpdatePatch,
  type WriteResult,
  createAppointment,
  deleteAppointment,
  doctorsOf,
  updateAppointment,
} from "../appointments/write";
import { type BlockedInput, type BlockedResult, createBlockedTime, deleteBlockedTime } from "../appointments/blocked-write";
import { appointmentLiveChanges, blockedLiveChange } from "../appointments/live";
import type { Appointment } from "../appointments/model";
import { FeedRefresher, sqlVeventStore } from "../ics/feed-refresh";
import { BookingCache } from "../appointments/booking-cache";
import { meterEnv, trackActive } from "../bench-meter";

declare module "../env" {
  /** env.DOCTOR_HUB stubs are typed with this class's RPC methods (env.ts imports no DO class). */
  interface DurableObjectClasses {
    DOCTOR_HUB: DoctorHub;
  }
}

/** The hub of a doctor (one Durable Object per doctor id). */
export function hubFor(env: Env, doctorId: string) {
  return env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));
}

export class DoctorHub extends DurableObject<Env> {
  protected readonly serial = new Serial();
  private working: Promise<void> | null = null;
  private rerun = false;

  /** Settings and patients a booking needs, remembered and re-checked inside its batch (one D1 batch per booking). */
  private readonly booking = new BookingCache();
  /** The doctor's stored .ics feed body, rebuilt right after every published change (issue #18). */
  private readonly feeds: FeedRefresher;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meterEnv(env)); // metered only under the bench (bench-meter.ts)
    env = this.env;
    // A failed build is retried by the alarm a minute later (see alarm()); runWorkOnce keeps
    // that time when it sets the alarm for the other work.
    this.feeds = new FeedRefresher(
      env,
      () => {
        this.feedRetryAt = Date.now() + 60_000;
        ctx.waitUntil(ctx.storage.put("feedRetry", true).then(() => this.setAlarmAt(Math.min(this.alarmAt ?? Infinity, this.feedRetryAt!))));
      },
      sqlVeventStore(ctx.storage.sql),
    );
  }

  /** The doctor id this hub serves (stored on first use so alarms know it after eviction). */
  // Kept in memory too: every RPC names its doctor, and a storage read per call (twice per
  // booking: the write and its publish) was measurable CPU on the booking path (issue #18).
  private knownDoctorId: string | undefined;

  protected async doctorId(hint?: string): Promise<string> {
    if (hint && hint === this.knownDoctorId) return hint;
    if (hint) {
      const known = await this.ctx.storage.get<string>("doctorId");
      if (known !== hint) await this.ctx.storage.put("doctorId", hint);
      this.knownDoctorId = hint;
      return hint;
    }
    const id = this.knownDoctorId ?? (await this.ctx.storage.get<string>("doctorId"));
    if (!id) throw new Error("DoctorHub used before it learned its doctor id");
    this.knownDoctorId = id;
    return id;
  }

  private readonly clinics = new Map<string, string>();

  /** A doctor never changes clinic, so the answer is cached (memory, then DO storage) to keep D1 off the publish path. */
  protected async clinicOf(doctorId: string): Promise<string | null> {
    const hit = this.clinics.get(doctorId) ?? (await this.ctx.storage.get<string>(`clinic:${doctorId}`));
    if (hit) {
      this.clinics.set(doctorId, hit);
      return hit;
    }
    const row = await this.env.DB.prepare("SELECT clinic_id FROM doctors WHERE id = ?").bind(doctorId).first<{ clinic_id: string }>();
    if (row) {
      this.clinics.set(doctorId, row.clinic_id);
      await this.ctx.storage.put(`clinic:${doctorId}`, row.clinic_id);
    }
    return row?.clinic_id ?? null;
  }

  /**
   * Sends a change to the clinic's live channel (ClinicLive DO) and bumps this
   * doctor's calendar version. Every committed change to the doctor's calendar
   * goes through here, so the version is what caches (the .ics feed) key on.
   */
  async publish(doctorId: string, change: LiveChange): Promise<void> {
    await this.publishMany(doctorId, [change]);
  }

  /** publish() for many changes: one version bump, one RPC to the live channel. */
  async publishMany(doctorId: string, changes: LiveChange[], o: { wait?: boolean } = {}): Promise<void> {
    if (!changes.length) return;
    await this.doctorId(doctorId);
    if (this.version === undefined) await this.calendarVersion();
    const v = ++this.version!; // no await between the read and the bump: concurrent publishes get distinct versions
    // Not awaited: the output gate holds any answer of this object until the put is durable.
    void this.ctx.storage.put("calendarVersion", v);
    // The feed lists appointments only: busy blocks and settings do not rebuild it.
    // The build reads only the appointments named here (ics/feed-delta.ts); an id it cannot
    // read makes it read the whole window.
    const appointments = changes.filter((c) => c.kind === "appointment");
    if (appointments.length) {
      const ids = appointments.map((c) => (c.record as { id?: unknown } | null)?.id);
      const changed = ids.every((id): id is string => typeof id === "string") ? ids : undefined;
      this.ctx.waitUntil(trackActive(this.feeds.schedule(doctorId, { changed })));
    }
    // An appointment names its clinic (write.ts books only doctors of the caller's clinic), so a
    // hub woken by a booking needs no D1 read or storage round trip to find its live channel.
    const named = changes.find((c) => c.kind === "appointment" && c.doctorId === doctorId)?.record as { clinicId?: unknown } | undefined;
    if (typeof named?.clinicId === "string" && !this.clinics.has(doctorId)) this.clinics.set(doctorId, named.clinicId);
    const clinicId = await this.clinicOf(doctorId);
    if (!clinicId) return;
    const live = this.env.CLINIC_LIVE.get(this.env.CLINIC_LIVE.idFromName(clinicId));
    const send = () => (changes.length === 1 ? live.publish(changes[0]) : live.publishMany(changes));
    // One chain per hub: changes reach the live channel in the order they were published (commit
    // order: bookings publish inside the write lock) even when the caller does not wait for it.
    const sent = this.liveTail.then(send, send);
    this.liveTail = sent.catch(() => undefined);
    this.ctx.waitUntil(this.liveTail);
    if (o.wait !== false) await sent;
    else void sent.catch((err) => console.error("live publish failed", doctorId, err));
  }

  private liveTail: Promise<unknown> = Promise.resolve();

  /** Increases with every change to this doctor's calendar; survives eviction. */
  async calendarVersion(): Promise<number> {
    this.version ??= (await this.ctx.storage.get<number>("calendarVersion")) ?? 0;
    return this.version;
  }

  /** calendarVersion, read from storage once per object lifetime. */
  private version: number | undefined;

  /** Rebuild the stored feed body now (feed created, privacy changed, a poll saw it stale); resolves when stored. */
  async refreshFeed(doctorId: string): Promise<void> {
    await this.doctorId(doctorId);
    await this.feeds.schedule(doctorId, { now: true });
  }

  /** Ask the hub to run its background work now (after a change, a webhook, a cron tick). */
  async kick(doctorId: string): Promise<void> {
    await this.doctorId(doctorId);
    this.startWork();
  }

  /** Runs all registered work once, single flight; a kick during a run causes one more run. */
  protected startWork(): Promise<void> {
    if (this.working) {
      this.rerun = true;
      return this.working;
    }
    this.working = (async () => {
      try {
        do {
          this.rerun = false;
          await this.runWorkOnce();
        } while (this.rerun);
      } finally {
        this.working = null;
      }
    })();
    // Keep the object alive until the work finishes even if the caller does not await.
    this.ctx.waitUntil(trackActive(this.working));
    return this.working;
  }

  private async runWorkOnce(): Promise<void> {
    const doctorId = await this.doctorId();
    const ctx: HubContext = {
      env: this.env,
      doctorId,
      exclusive: (fn) => this.serial.run(fn),
      publish: (change) => this.publish(doctorId, change),
      publishMany: (changes) => this.publishMany(doctorId, changes),
    };
    // One failing piece of work must not stop the others; it is retried in a minute.
    let next = await runHubWork(ctx, hubWork(), (w, err) => console.error(`hub work ${w.name} failed for doctor ${doctorId}`, err));
    if (this.feedRetryAt != null && (next == null || this.feedRetryAt < next)) next = this.feedRetryAt;
    await this.setAlarmAt(next == null ? null : Math.max(next, Date.now() + 50));
  }

  /** When a failed feed build is retried (null: none pending). */
  private feedRetryAt: number | null = null;
  /** The alarm storage holds, as far as this object knows (undefined: not known since it woke). */
  private alarmAt: number | null | undefined;

  /**
   * Sets (or with null deletes) the alarm, skipping the storage call when it already holds that
   * time: the hub's work runs after every booking and most runs want the same next time (the
   * next reminder) or none, and the alarm write was ~1 ms of each booking's CPU (issue #18).
   */
  private async setAlarmAt(at: number | null): Promise<void> {
    if (at === this.alarmAt) return;
    this.alarmAt = at;
    try {
      if (at == null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(at);
    } catch (err) {
      this.alarmAt = undefined; // not known any more: the next run writes it again
      throw err;
    }
  }

  async alarm(): Promise<void> {
    this.alarmAt = null; // a fired alarm is cleared from storage
    if (await this.ctx.storage.get<boolean>("feedRetry")) {
      this.feedRetryAt = null;
      await this.ctx.storage.delete("feedRetry");
      this.ctx.waitUntil(this.feeds.schedule(await this.doctorId()));
    }
    await this.startWork();
  }

  // -------------------------------------------------------------------------
  // Booking RPC: every API write to this doctor's calendar. Each runs the shared
  // write path (appointments/write.ts) inside the hub's lock, publishes the live
  // change(s) while still holding it (so screens see changes in commit order),
  // then kicks background work (sync outbox, e-mails) of every doctor touched.
  // Results are plain data ({ok, appointment, change} | {ok:false, error}); RPC
  // would strip an Error subclass, so the route turns `error` into the HTTP answer.
  // `doctorId` is always the doctor this hub belongs to.
  // -------------------------------------------------------------------------

  /** `session`: the API caller's claims, checked live inside the booking's batch (no round trip before it). */
  async createAppointment(doctorId: string, caller: Caller, input: CreateInput, session?: SessionClaims): Promise<WriteResult> {
    return this.appointmentWrite(doctorId, () => createAppointment(this.env, caller, input, { origin: "acms", cache: this.booking, session }));
  }

  /** Routes send doctor changes to the TARGET doctor's hub (see write.ts "RESCHEDULE"). */
  async updateAppointment(
    doctorId: string,
    caller: Caller,
    clinicId: string,
    id: string,
    patch: UpdatePatch,
    snapshot?: Appointment,
  ): Promise<WriteResult> {
    return this.appointmentWrite(doctorId, () => updateAppointment(this.env, caller, clinicId, id, patch, { origin: "acms", snapshot }));
  }

  async cancelAppointment(doctorId: string, caller: Caller, clinicId: string, id: string, version: number, snapshot?: Appointment): Promise<WriteResult> {
    return this.updateAppointment(doctorId, caller, clinicId, id, { version, status: "cancelled" }, snapshot);
  }

  async deleteAppointment(doctorId: string, caller: Caller, clinicId: string, id: string, version?: number): Promise<WriteResult> {
    return this.appointmentWrite(doctorId, () => deleteAppointment(this.env, caller, clinicId, id, version, { origin: "acms" }));
  }

  async createBlockedTime(doctorId: string, caller: Caller, input: BlockedInput): Promise<BlockedResult> {
    await this.doctorId(doctorId);
    const r = await this.serial.run(async () => {
      const r = await createBlockedTime(this.env, caller, { ...input, doctorId });
      if (r.ok) await this.publishSafely(doctorId, blockedLiveChange("created", r.blockedTime));
      return r;
    });
    if (r.ok) this.startWork();
    return r;
  }

  async deleteBlockedTime(doctorId: string, caller: Caller, clinicId: string, id: string): Promise<BlockedResult> {
    await this.doctorId(doctorId);
    const r = await this.serial.run(async () => {
      const r = await deleteBlockedTime(this.env, caller, clinicId, id);
      if (r.ok) await this.publishSafely(r.blockedTime.doctorId, blockedLiveChange("deleted", r.blockedTime));
      return r;
    });
    if (r.ok) this.startWork();
    return r;
  }

  private async appointmentWrite(doctorId: string, write: () => Promise<WriteResult>): Promise<WriteResult> {
    await this.doctorId(doctorId);
    const r = await this.serial.run(async () => {
      const r = await write();
      if (r.ok && !r.unchanged) for (const live of appointmentLiveChanges(r.change)) await this.publishSafely(live.doctorId, live);
      return r;
    });
    if (r.ok && !r.unchanged) {
      for (const d of doctorsOf(r.change)) {
        if (d === doctorId) this.startWork();
        else this.ctx.waitUntil(hubFor(this.env, d).kick(d).catch((err) => console.error("kick failed", d, err)));
      }
    }
    return r;
  }

  /** The change is committed already: a failing live channel must not turn it into an error. */
  private async publishSafely(doctorId: string, change: LiveChange): Promise<void> {
    try {
      // The booking's answer does not wait for the live channel's hop (issue #18); order is kept.
      if (doctorId === (await this.doctorId())) await this.publishMany(doctorId, [change], { wait: false });
      else await hubFor(this.env, doctorId).publish(doctorId, change);
    } catch (err) {
      console.error("live publish failed", doctorId, err);
    }
  }

  /** Test and admin aid: wait until in-flight background work has finished. */
  async idle(): Promise<void> {
    while (this.working) await this.working;
    await this.feeds.idle();
  }
}
