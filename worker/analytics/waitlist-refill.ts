// Waitlist refill figures for the Analytics page (issue #19 × the waitlist, docs/waitlist.md):
// slots freed (a cancel, a busy block removed, new hours), offered to waiting patients, refilled,
// and the average time from freed to refilled — per clinic-zone month of the period and for the
// previous period, the same numbers GET /api/waitlist/stats gives for any instant range (same
// table, same definitions), here in the page's period with its CSV and audit. The doctor filter
// applies; type and video do not (a freed slot has neither until it is booked again).
// One statement per month in one batch, each a range on waitlist_slots_clinic_idx.
import { localToUtc } from "../scheduling/zone";
import { REFILL_STATS_SQL, type RefillStatsRow } from "../waitlist/refill-stats";
import { addMonths, monthList, previousOf } from "./period";
import type { Scope } from "./scope";
import type { Table } from "./tables";

export interface RefillMonth {
  month: string;
  freed: number;
  offered: number;
  refilled: number;
  avgMinutesToRefill: number | null;
}


const rate = (k: number, n: number) => (n ? Math.round((k / n) * 1000) / 10 : null);

export async function waitlistRefill(d1: D1Database, scope: Scope, zone: string) {
  const start = (m: string) => localToUtc(zone, `${m}-01`, "00:00");
  const months = monthList(scope.period);
  const prev = previousOf(scope.period);
  const ranges: [number, number][] = [...months.map((m): [number, number] => [start(m), start(addMonths(m, 1))]), [start(prev.from), start(scope.period.from)]];
  const res = await d1.batch(ranges.map(([a, b]) => d1.prepare(REFILL_STATS_SQL).bind(scope.clinicId, a, b, scope.filter.doctor)));
  const rows = res.map((r) => (r.results[0] as RefillStatsRow | undefined) ?? { freed: 0, offered: 0, refilled: 0, avg_ms: null });
  const perMonth: RefillMonth[] = months.map((month, i) => ({
    month,
    freed: rows[i].freed,
    offered: rows[i].offered,
    refilled: rows[i].refilled,
    avgMinutesToRefill: rows[i].avg_ms == null ? null : Math.round(rows[i].avg_ms! / 60_000),
  }));
  const sum = (k: "freed" | "offered" | "refilled") => perMonth.reduce((a, m) => a + m[k], 0);
  const refillMs = perMonth.reduce((a, m, i) => a + (rows[i].avg_ms ?? 0) * m.refilled, 0);
  const p = rows[rows.length - 1];
  const totals = {
    freed: sum("freed"),
    offered: sum("offered"),
    refilled: sum("refilled"),
    avgMinutesToRefill: sum("refilled") ? Math.round(refillMs / sum("refilled") / 60_000) : null,
  };
  const previous = { freed: p.freed, offered: p.offered, refilled: p.refilled, avgMinutesToRefill: p.avg_ms == null ? null : Math.round(p.avg_ms / 60_000) };
  const tables: Table[] = [
    {
      id: "waitlist-refill",
      title: "Waitlist: slots freed, offered and refilled",
      columns: ["Period", "Slots freed", "Offered to the waitlist", "Refilled", "Refilled %", "Average minutes to refill"],
      rows: [
        ["This period", totals.freed, totals.offered, totals.refilled, rate(totals.refilled, totals.freed), totals.avgMinutesToRefill],
        ["Previous period", previous.freed, previous.offered, previous.refilled, rate(previous.refilled, previous.freed), previous.avgMinutesToRefill],
      ],
    },
    {
      id: "waitlist-refill-months",
      title: "Waitlist refill by month",
      columns: ["Month", "Slots freed", "Offered to the waitlist", "Refilled", "Refilled %", "Average minutes to refill"],
      rows: perMonth.map((m) => [m.month, m.freed, m.offered, m.refilled, rate(m.refilled, m.freed), m.avgMinutesToRefill]),
    },
  ];
  return { months: perMonth, totals, previous, tables };
}
