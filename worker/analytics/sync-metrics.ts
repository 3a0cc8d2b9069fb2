// Inbound sync latency (provider notification → change visible in ACMS), recorded in the same
// batch as the appointment change a provider's sync makes (called from ./effect.ts). The
// outbound direction (change saved → provider acknowledged) is kept by a trigger on
// sync_outbox (migrations/0017_analytics.sql). Changes found by a poll without a notification
// in the last hour have no notification to measure from and are not counted.
import type { AppointmentChange } from "../appointments/effects";
import type { Stmt } from "./fact-sql";
import { LATENCY_BOUNDS } from "./stats";

const PROVIDERS = new Set(["google", "microsoft", "caldav"]);
const WINDOW_MS = 3_600_000;

export function inboundLatencyStatements(change: AppointmentChange, now: number): Stmt[] {
  if (!PROVIDERS.has(change.origin)) return [];
  const a = (change.after ?? change.before)!;
  const day = new Date(now).toISOString().slice(0, 10);
  const notified = `(SELECT MAX(ic.last_notification_at) FROM integration_calendars ic JOIN calendar_integrations i ON i.id = ic.integration_id
      WHERE i.doctor_id = ? AND i.provider = ?)`;
  const bucket = `(SELECT COUNT(*) FROM json_each('${JSON.stringify(LATENCY_BOUNDS)}') WHERE value < ? - x.at)`;
  return [
    {
      text: `INSERT INTO sync_metrics_daily (clinic_id, provider, day, direction) SELECT ?, ?, ?, 'in'
        WHERE ${notified} > ? ON CONFLICT DO NOTHING`,
      params: [a.clinicId, change.origin, day, a.doctorId, change.origin, now - WINDOW_MS],
    },
    {
      text: `UPDATE sync_metrics_daily SET ok = ok + 1,
          hist = json_set(hist, '$[' || ${bucket} || ']', json_extract(hist, '$[' || ${bucket} || ']') + 1)
        FROM (SELECT ${notified} AS at) x
        WHERE x.at > ? AND x.at <= ? AND clinic_id = ? AND day = ? AND provider = ? AND direction = 'in'`,
      params: [now, now, a.doctorId, change.origin, now - WINDOW_MS, now, a.clinicId, day, change.origin],
    },
  ];
}
