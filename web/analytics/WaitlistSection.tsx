// The waitlist's refill figures on the Analytics page (registered in ./extra-sections.ts): slots
// freed, offered to waiting patients, refilled and the time to refill, this period against the
// previous one; numbers and CSV from GET /api/analytics/waitlist (worker/analytics/waitlist-refill.ts,
// the same definitions as /api/waitlist/stats), roles decided by the server.
import { Show } from "solid-js";
import type { Query } from "./analytics-api";
import { SectionFrame } from "./SectionFrame";

export function WaitlistSection(props: { query: Query }) {
  return (
    <SectionFrame
      section="waitlist"
      title="Waitlist: freed slots refilled"
      query={props.query}
      empty={(r) => r.totals.freed === 0 && r.previous.freed === 0}
      emptyText="No slot was freed in this period. Cancellations and removed busy time free slots; the waitlist offers them to waiting patients and this section counts the refills."
    >
      {(r) => (
        <p data-testid="waitlist-words">
          {r.totals.freed} slots freed, {r.totals.offered} offered to the waitlist, {r.totals.refilled} refilled
          <Show when={r.totals.freed > 0}> ({Math.round((r.totals.refilled / r.totals.freed) * 100)}%)</Show>
          <Show when={r.totals.avgMinutesToRefill !== null}>, on average {r.totals.avgMinutesToRefill} minutes after being freed</Show>. Previous period: {r.previous.refilled} of {r.previous.freed} refilled.
          {props.query.type || props.query.video ? " (Type and video filters do not apply to freed slots.)" : ""}
        </p>
      )}
    </SectionFrame>
  );
}
