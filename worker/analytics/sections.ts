// One function per Analytics section: what GET /api/analytics/<section> answers and what its
// CSV holds. Each answer carries `tables` (a chart's numbers, for the page and the CSV).
import { auditInsert, actorOf } from "../db/audit";
import { makeDb } from "../db/client";
import type { SessionUser } from "../env";
import { localToUtc, addDays } from "../scheduling/zone";
import { busiest } from "./busiest";
import { waitlistRefill } from "./waitlist-refill";
import { bucketOf } from "./facts";
import { adoption, nps, syncHealth } from "./kpis";
import { noShows, reduction } from "./no-shows";
import { addMonths, datesOf, previousOf } from "./period";
import type { Scope, Section } from "./scope";
import { repeatNoShows } from "./staff-lists";
import { messageOutcomes } from "./messages";
import { feedPolls } from "./feed-polls";
import type { Table } from "./tables";
import { utilization } from "./utilization";

export interface ClinicInfo {
  timeZone: string;
  createdAt: number;
}

// Per isolate for a minute: every analytics request needs the zone, which changes rarely (a
// changed zone shows within a minute; the rollups follow it only after a rebuild anyway).
const clinicCache = new Map<string, { info: ClinicInfo; until: number }>();

export async function clinicInfo(d1: D1Database, clinicId: string, now = Date.now()): Promise<ClinicInfo> {
  const hit = clinicCache.get(clinicId);
  if (hit && hit.until > now) return hit.info;
  const r = await d1.prepare("SELECT time_zone, created_at FROM clinics WHERE id = ?").bind(clinicId).first<{ time_zone: string; created_at: number }>();
  const info = { timeZone: r?.time_zone ?? "UTC", createdAt: r?.created_at ?? now };
  if (r) {
    if (clinicCache.size > 1000) clinicCache.clear();
    clinicCache.set(clinicId, { info, until: now + 60_000 });
  }
  return info;
}

/** The current month in the clinic zone: the default end of a period. */
export const currentMonth = (c: ClinicInfo, now = Date.now()) => bucketOf(c.timeZone, now).month;

/** Instants bounding a scope's period and the previous one, in the clinic zone. */
function bounds(scope: Scope, zone: string) {
  const start = (p: { from: string }) => localToUtc(zone, `${p.from}-01`, "00:00");
  const { last } = datesOf(scope.period);
  return { fromMs: start(scope.period), toMs: localToUtc(zone, addDays(last, 1), "00:00"), prevFromMs: start(previousOf(scope.period)) };
}

type Runner = (d1: D1Database, scope: Scope, clinic: ClinicInfo) => Promise<{ tables: Table[] } & Record<string, unknown>>;

export const SECTIONS: Record<Section, Runner> = {
  busiest: (d1, s, c) => {
    const b = bounds(s, c.timeZone);
    return busiest(d1, s, c.timeZone, b.fromMs, b.toMs);
  },
  "no-shows": (d1, s) => noShows(d1, s),
  "repeat-no-shows": (d1, s) => repeatNoShows(d1, s),
  reduction: (d1, s, c) => {
    // Since the clinic started (at most five years back), never later than the period itself.
    const started = bucketOf(c.timeZone, c.createdAt).month;
    const first = [started, s.period.from].sort()[0];
    return reduction(d1, s, first < addMonths(s.period.to, -59) ? addMonths(s.period.to, -59) : first);
  },
  utilization: (d1, s, c) => utilization(d1, s, c.timeZone),
  waitlist: (d1, s, c) => waitlistRefill(d1, s, c.timeZone),
  kpis: async (d1, s) => {
    const [adopt, sync, messages, feeds] = await Promise.all([adoption(d1, s.clinicId), syncHealth(d1, s), messageOutcomes(d1, s), feedPolls(d1, s.clinicId)]);
    const adoptionTable: Table = {
      id: "adoption",
      title: "Calendar adoption: doctors with a healthy integration",
      columns: ["Provider", "Doctors connected", "Healthy", "% of all doctors"],
      rows: [
        ["Any", null, adopt.healthy, adopt.rate === null ? null : Math.round(adopt.rate * 1000) / 10],
        ...adopt.perProvider.map((p) => [p.provider, p.connected, p.healthy, p.rate === null ? null : Math.round(p.rate * 1000) / 10]),
      ],
    };
    const feedTable: Table = {
      id: "feeds",
      title: "Subscribed calendar feeds (now)",
      columns: ["Doctors with a feed on", "Fetched in the last 7 days"],
      rows: [[feeds.enabled, feeds.polledLastWeek]],
    };
    return { adoption: adopt, sync, messages: messages.kinds, feeds, tables: [adoptionTable, ...sync.tables, ...messages.tables, feedTable] };
  },
  nps: (d1, s, c) => {
    const b = bounds(s, c.timeZone);
    return nps(d1, s, b.fromMs, b.toMs, b.prevFromMs, true);
  },
};

/** The audit entry of a CSV download (who took which numbers out of the app). */
export function csvAudit(d1: D1Database, user: SessionUser, section: Section, scope: Scope) {
  return auditInsert(makeDb(d1), user.clinicId, actorOf(user), "analytics.csv", "analytics", section, { period: scope.period, filter: scope.filter });
}
