// The seed's KPIs for the clinic: calendar adoption (doctors with a healthy integration, per
// provider), sync success rate and p50/p95 latency per provider and day (target < 5 s), and
// NPS. Reminder/invite outcomes are in ./messages.ts (they read the message tables).
import { datesOf } from "./period";
import type { Scope } from "./scope";
import { addHist, LATENCY_BOUNDS, npsOf, quantileOf } from "./stats";
import { pct, type Table } from "./tables";

export const LATENCY_TARGET_MS = 5000;
const PROVIDER_NAMES: Record<string, string> = { google: "Google", microsoft: "Outlook", caldav: "iCloud/CalDAV" };

export async function adoption(d1: D1Database, clinicId: string) {
  const [doctors, integ, any] = await d1.batch([
    d1.prepare("SELECT COUNT(*) AS n FROM doctors WHERE clinic_id = ? AND active = 1").bind(clinicId),
    // Healthy: connected and not waiting for a reconnect or failing.
    d1
      .prepare(
        `SELECT i.provider, COUNT(DISTINCT i.doctor_id) AS n, SUM(i.status = 'active' AND i.last_error IS NULL) AS healthy
         FROM calendar_integrations i JOIN doctors d ON d.id = i.doctor_id AND d.active = 1 WHERE i.clinic_id = ? AND i.status != 'disconnected' GROUP BY i.provider`,
      )
      .bind(clinicId),
    d1
      .prepare("SELECT COUNT(DISTINCT i.doctor_id) AS n FROM calendar_integrations i JOIN doctors d ON d.id = i.doctor_id AND d.active = 1 WHERE i.clinic_id = ? AND i.status = 'active' AND i.last_error IS NULL")
      .bind(clinicId),
  ]);
  const total = (doctors.results[0] as { n: number }).n;
  const healthyAny = any.results[0] as { n: number } | undefined;
  const perProvider = (integ.results as { provider: string; n: number; healthy: number }[]).map((r) => ({
    provider: r.provider,
    connected: r.n,
    healthy: r.healthy,
    rate: total ? r.healthy / total : null,
  }));
  return { doctors: total, healthy: healthyAny?.n ?? 0, rate: total ? (healthyAny?.n ?? 0) / total : null, perProvider };
}

interface SyncRow {
  provider: string;
  direction: "out" | "in";
  day: string;
  ok: number;
  failed: number;
  hist: string;
}

export async function syncHealth(d1: D1Database, scope: Scope) {
  const { first, last } = datesOf(scope.period);
  const rows = (
    await d1
      .prepare("SELECT provider, direction, day, ok, failed, hist FROM sync_metrics_daily WHERE clinic_id = ? AND day BETWEEN ? AND ? ORDER BY day")
      .bind(scope.clinicId, first, last)
      .all<SyncRow>()
  ).results;
  const parse = (h: string) => {
    try {
      const a = JSON.parse(h);
      return Array.isArray(a) ? a.map(Number) : [];
    } catch {
      return [];
    }
  };
  const zero = () => new Array(LATENCY_BOUNDS.length + 1).fill(0);
  const providers = new Map<string, { provider: string; direction: "out" | "in"; ok: number; failed: number; hist: number[] }>();
  const daily = rows.map((r) => {
    const hist = parse(r.hist);
    const key = `${r.provider}|${r.direction}`;
    const p = providers.get(key) ?? { provider: r.provider, direction: r.direction, ok: 0, failed: 0, hist: zero() };
    p.ok += r.ok;
    p.failed += r.failed;
    p.hist = addHist(p.hist, hist);
    providers.set(key, p);
    return { day: r.day, provider: r.provider, direction: r.direction, ok: r.ok, failed: r.failed, successRate: r.ok + r.failed ? r.ok / (r.ok + r.failed) : null, p50Ms: quantileOf(hist, 0.5), p95Ms: quantileOf(hist, 0.95) };
  });
  const summary = [...providers.values()].map((p) => ({
    provider: p.provider,
    direction: p.direction,
    ok: p.ok,
    failed: p.failed,
    successRate: p.ok + p.failed ? p.ok / (p.ok + p.failed) : null,
    p50Ms: quantileOf(p.hist, 0.5),
    p95Ms: quantileOf(p.hist, 0.95),
  }));
  const ms = (x: number | null) => (x === null ? null : x === Infinity ? `> ${LATENCY_BOUNDS[LATENCY_BOUNDS.length - 1]}` : x);
  const tables: Table[] = [
    {
      id: "sync",
      title: "Sync by provider (out: change saved → provider acknowledged; in: provider notification → change visible)",
      columns: ["Provider", "Direction", "Synced", "Failed", "Success %", "p50 ≤ ms", "p95 ≤ ms"],
      rows: summary.map((s) => [PROVIDER_NAMES[s.provider] ?? s.provider, s.direction, s.ok, s.failed, pct(s.successRate), ms(s.p50Ms), ms(s.p95Ms)]),
    },
    {
      id: "sync-daily",
      title: "Sync by day",
      columns: ["Day", "Provider", "Direction", "Synced", "Failed", "Success %", "p50 ≤ ms", "p95 ≤ ms"],
      rows: daily.map((d) => [d.day, PROVIDER_NAMES[d.provider] ?? d.provider, d.direction, d.ok, d.failed, pct(d.successRate), ms(d.p50Ms), ms(d.p95Ms)]),
    },
  ];
  return { providers: summary, daily: daily.map((d) => ({ ...d, p50Ms: d.p50Ms === Infinity ? null : d.p50Ms, p95Ms: d.p95Ms === Infinity ? null : d.p95Ms })), targetMs: LATENCY_TARGET_MS, tables };
}

/** NPS of patients and of staff in the period (clinic-zone months, approximated by UTC month bounds). */
export async function nps(d1: D1Database, scope: Scope, fromMs: number, toMs: number, prevFromMs: number, withComments: boolean) {
  const [grouped, commented] = await d1.batch([
    d1
      .prepare("SELECT source, score, at >= ? AS cur, COUNT(*) AS count FROM nps_responses WHERE clinic_id = ? AND at >= ? AND at < ? GROUP BY 1, 2, 3")
      .bind(fromMs, scope.clinicId, prevFromMs, toMs),
    d1
      .prepare("SELECT source, score, comment, at FROM nps_responses WHERE clinic_id = ? AND at >= ? AND at < ? AND comment != '' ORDER BY at DESC LIMIT 100")
      .bind(scope.clinicId, withComments ? fromMs : toMs, toMs),
  ]);
  const rows = grouped.results as { source: string; score: number; cur: number; count: number }[];
  const of = (source: string, cur: number) => npsOf(rows.filter((r) => r.source === source && r.cur === cur));
  const comments = (commented.results as { source: string; score: number; comment: string; at: number }[]).map((c) => ({ ...c, at: new Date(c.at).toISOString() }));
  const result = { patients: of("patient", 1), staff: of("staff", 1), previousPatients: of("patient", 0), previousStaff: of("staff", 0) };
  const line = (label: string, n: ReturnType<typeof npsOf>): (string | number | null)[] => [label, n.score, n.n, n.promoters, n.passives, n.detractors];
  const tables: Table[] = [
    {
      id: "nps",
      title: "Net Promoter Score (% promoters − % detractors)",
      columns: ["Who", "NPS", "Answers (n)", "Promoters (9–10)", "Passives (7–8)", "Detractors (0–6)"],
      rows: [line("Patients", result.patients), line("Patients, previous period", result.previousPatients), line("Staff", result.staff), line("Staff, previous period", result.previousStaff)],
    },
  ];
  return { ...result, comments, tables };
}
