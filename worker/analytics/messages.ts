// Invites, reminders and NPS follow-ups sent / delivered / failed in the period, for the whole clinic, from
// message_outcomes_monthly (kept by triggers on reminders and email_outbox, so it follows the
// sending code whoever changes it). Months are UTC months of the due time (reminders) or of
// the invite's creation: at a month's edge a message may fall an hour into the other month.
import type { Scope } from "./scope";
import type { Table } from "./tables";

const KINDS: [string, string][] = [
  ["reminder_email", "Reminder e-mails"],
  ["reminder_sms", "Reminder SMS"],
  ["invite_request", "Invites (e-mail)"],
  ["invite_cancel", "Cancellation e-mails"],
  ["nps_email", "NPS follow-up e-mails"],
  ["nps_sms", "NPS follow-up SMS"],
];

export async function messageOutcomes(d1: D1Database, scope: Scope) {
  const rows = (
    await d1
      .prepare("SELECT kind, state, SUM(n) AS n FROM message_outcomes_monthly WHERE clinic_id = ? AND month BETWEEN ? AND ? GROUP BY kind, state")
      .bind(scope.clinicId, scope.period.from, scope.period.to)
      .all<{ kind: string; state: string; n: number }>()
  ).results;
  const n = (kind: string, ...states: string[]) => rows.filter((r) => r.kind === kind && states.includes(r.state)).reduce((a, r) => a + r.n, 0);
  const kinds = KINDS.map(([kind, label]) => ({
    kind,
    label,
    // "Sent": handed to the provider (delivered ones included); unknown = sent, outcome not reported.
    sent: n(kind, "sent", "delivered", "unknown"),
    delivered: n(kind, "delivered"),
    failed: n(kind, "failed"),
    skipped: n(kind, "skipped"),
  }));
  const table: Table = {
    id: "messages",
    title: "Invites and reminders in the period (whole clinic)",
    columns: ["Message", "Sent", "Delivered (reported)", "Failed", "Skipped"],
    rows: kinds.map((k) => [k.label, k.sent, k.delivered, k.failed, k.skipped]),
  };
  return { kinds, tables: [table] };
}
