// The Analytics sections: what each chart shows and what its empty state says.
import { For, Show } from "solid-js";
import type { Query, Rate, SectionResult } from "./analytics-api";
import { Heatmap } from "./Heatmap";
import { LineChart } from "./LineChart";
import { RateChart } from "./RateChart";
import { SectionFrame } from "./SectionFrame";
import { NpsFollowUpSetting } from "./NpsFollowUp";

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)}%`);
const rateText = (r: Rate) => (r.n ? `${pct(r.rate)} (95% ${pct(r.low)}–${pct(r.high)}, n = ${r.n})` : "no visits with an outcome");
const monthSec = (m: string) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1) / 1000;
const daySec = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;

export function BusiestSection(props: { query: Query }) {
  return (
    <SectionFrame section="busiest" title="Busiest times" query={props.query} empty={(r) => r.cells.length === 0} emptyText="Nothing booked and no working hours in this period. Booked appointments and the doctors' working hours fill this heatmap.">
      {(r) => {
        const used = r.cells.filter((c: any) => c.slots > 0 || c.booked > 0);
        const hours = [...new Set<number>(used.map((c: any) => c.hour))].sort((a, b) => a - b);
        const days = [...new Set<number>(used.map((c: any) => c.weekday))].sort((a, b) => a - b);
        return (
          <>
            <p data-testid="busiest-words">
              Busiest: <strong>{r.busiest.map((c: any) => `${c.name} (${c.booked})`).join("; ") || "–"}</strong>. Emptiest open hours:{" "}
              <strong>{r.emptiest.map((c: any) => `${c.name} (${c.booked} booked, ${c.free} free)`).join("; ") || "–"}</strong>.
            </p>
            <p class="muted">
              {r.totals.booked} booked ({r.totals.previousBooked} in the previous period), {r.totals.slots} slots offered.
            </p>
            <div class="an-pair">
              <Heatmap testId="heat-booked" label="Booked appointments" color="#1d4ed8" hours={hours} days={days} cells={r.cells.map((c: any) => ({ weekday: c.weekday, hour: c.hour, value: c.booked }))} />
              <Heatmap testId="heat-free" label="Free slots left" color="#15803d" hours={hours} days={days} cells={r.cells.map((c: any) => ({ weekday: c.weekday, hour: c.hour, value: c.free }))} />
            </div>
          </>
        );
      }}
    </SectionFrame>
  );
}

export function NoShowSection(props: { query: Query }) {
  return (
    <SectionFrame section="no-shows" title="No-show patterns" query={props.query} empty={(r) => r.overall.n === 0} emptyText="No appointment in this period has an outcome yet. Marking visits completed or no-show fills these rates.">
      {(r) => (
        <>
          <p class="an-big" data-testid="noshow-overall">
            No-show rate <strong>{pct(r.overall.rate)}</strong> <span class="muted">(95% {pct(r.overall.low)}–{pct(r.overall.high)}, n = {r.overall.n}; previous period {rateText(r.previous)})</span>
          </p>
          <p class="muted">Grey rows have fewer than 20 visits: too few to compare.</p>
          <div class="an-grid-charts">
            <RateChart title="By weekday" groups={r.weekday} testId="rates-weekday" />
            <RateChart title="By hour" groups={r.hour} />
            <RateChart title="By lead time" groups={r.lead} />
            <RateChart title="By appointment type" groups={r.type} />
            <RateChart title="By doctor" groups={r.doctor} />
            <RateChart title="First visit or returning" groups={r.visit} />
            <RateChart title="By the patient's earlier no-shows" groups={r.history} />
            <RateChart title="Reminder sent" groups={r.reminder} />
            <RateChart title="Confirmed by link or SMS" groups={r.confirmed} />
          </div>
        </>
      )}
    </SectionFrame>
  );
}

export function RepeatSection(props: { query: Query }) {
  return (
    <SectionFrame section="repeat-no-shows" title="Patients with 2 or more no-shows (staff only)" query={props.query} empty={(r) => r.patients.length === 0} emptyText="No patient missed two or more visits in this period.">
      {() => <p class="muted">Consider a call before their next visit. This list is for the clinic's staff only.</p>}
    </SectionFrame>
  );
}

export function ReductionSection(props: { query: Query }) {
  return (
    <SectionFrame section="reduction" title="No-show reduction" query={props.query} empty={(r) => r.months.every((m: any) => m.n === 0)} emptyText="No visits with an outcome yet. The monthly no-show rate appears as visits are marked completed or no-show.">
      {(r) => (
        <>
          <Show when={r.remindersFrom} fallback={<p>Reminders have not been sent yet: once they are, the rates before and after are compared here.</p>}>
            <p class="an-big" data-testid="reduction-words">
              Before reminders: <strong>{r.before ? rateText(r.before) : "–"}</strong>. From {r.remindersFrom}: <strong>{r.after ? rateText(r.after) : "–"}</strong>
              {r.change !== null ? ` — ${r.change <= 0 ? "down" : "up"} ${Math.abs(r.change * 100).toFixed(1)} points.` : "."}
            </p>
          </Show>
          <LineChart
            testId="reduction-line"
            title="No-show rate by month"
            yLabel="%"
            x={r.months.map((m: any) => monthSec(m.month))}
            series={[
              { label: "No-show rate %", color: "#b91c1c", values: r.months.map((m: any) => (m.rate === null ? null : +(m.rate * 100).toFixed(2))) },
              { label: "95% high", color: "#fca5a5", dash: [3, 3], values: r.months.map((m: any) => (m.high === null ? null : +(m.high * 100).toFixed(2))) },
              { label: "95% low", color: "#fca5a5", dash: [3, 3], values: r.months.map((m: any) => (m.low === null ? null : +(m.low * 100).toFixed(2))) },
            ]}
            markers={r.remindersFrom ? [{ at: monthSec(r.remindersFrom), label: "reminders on" }] : []}
          />
        </>
      )}
    </SectionFrame>
  );
}

export function UtilizationSection(props: { query: Query }) {
  return (
    <SectionFrame section="utilization" title="Utilization and cancellations" query={props.query} empty={(r) => r.doctors.length === 0} emptyText="No doctors with working hours in this filter. Doctors' working hours and bookings fill this section.">
      {(r) => (
        <>
          <p data-testid="cancellations-words">
            {r.cancellations.cancelled} cancelled ({r.cancellations.late} late, under 24 h): {r.cancellations.byStaff} by staff, {r.cancellations.byPatientLink} by patient link, {r.cancellations.byPatientSms} by SMS,{" "}
            {r.cancellations.byProvider} from doctors' calendars. Average booking lead time: {r.averageLeadDays ?? "–"} days.
          </p>
          <ul class="an-bars" aria-label="Utilization by doctor">
            <For each={r.doctors}>
              {(d: any) => (
                <li>
                  <span class="an-bar-label">{d.name}</span>
                  <span class="an-bar" aria-hidden="true">
                    <span style={{ width: `${Math.min(100, (d.utilization ?? 0) * 100)}%` }} />
                  </span>
                  <span>{pct(d.utilization)}</span>
                </li>
              )}
            </For>
          </ul>
        </>
      )}
    </SectionFrame>
  );
}

export function KpiSection(props: { query: Query }) {
  return (
    <SectionFrame section="kpis" title="KPIs: calendar adoption, sync and reminders" query={props.query} empty={() => false} emptyText="">
      {(r: SectionResult) => {
        const days = [...new Set<string>(r.sync.daily.map((d: any) => d.day))].sort();
        const lines = [...new Set<string>(r.sync.daily.map((d: any) => `${d.provider} ${d.direction}`))].sort();
        // A year of days × lines: look each point up in a map, not by scanning every daily row.
        const byKey = new Map<string, any>(r.sync.daily.map((d: any) => [`${d.provider} ${d.direction}|${d.day}`, d]));
        const val = (line: string, day: string, k: string) => byKey.get(`${line}|${day}`)?.[k] ?? null;
        const colors = ["#1d4ed8", "#b45309", "#15803d"];
        return (
          <>
            <p class="an-big" data-testid="adoption">
              Calendar adoption: <strong>{pct(r.adoption.rate)}</strong> <span class="muted">({r.adoption.healthy} of {r.adoption.doctors} doctors with a healthy integration)</span>
            </p>
            <Show when={days.length} fallback={<p class="an-empty">No changes were synced to doctors' calendars in this period. Connecting Google, Outlook or iCloud fills the sync chart.</p>}>
              <LineChart
                testId="sync-line"
                title="Sync latency p95 per day (target < 5 s)"
                yLabel="ms"
                x={days.map(daySec)}
                series={[
                  ...lines.map((l, i) => ({ label: `${l} p95`, color: colors[i % 3], dash: l.endsWith(" in") ? [2, 2] : undefined, values: days.map((d) => val(l, d, "p95Ms")) })),
                  { label: "target 5 s", color: "#a21c1c", dash: [6, 4], values: days.map(() => r.sync.targetMs) },
                ]}
              />
            </Show>
          </>
        );
      }}
    </SectionFrame>
  );
}

export function NpsSection(props: { query: Query }) {
  return (
    <>
      <SectionFrame section="nps" title="Satisfaction (NPS)" query={props.query} empty={(r) => r.patients.n === 0 && r.staff.n === 0} emptyText="No answers yet. Patients are asked on their appointment page after a completed visit; staff in the app once a quarter.">
        {(r) => (
          <>
            <p class="an-big" data-testid="nps-words">
              Patients: <strong>{r.patients.score ?? "–"}</strong> <span class="muted">(n = {r.patients.n})</span> · Staff: <strong>{r.staff.score ?? "–"}</strong> <span class="muted">(n = {r.staff.n})</span>
            </p>
            <Show when={r.comments.length}>
              <h3>Comments (admins only)</h3>
              <ul class="an-comments">
                <For each={r.comments}>{(c: any) => <li><strong>{c.score}</strong> · {c.comment} <span class="muted">({c.source}, {c.at.slice(0, 10)})</span></li>}</For>
              </ul>
            </Show>
          </>
        )}
      </SectionFrame>
      {/* Outside the frame: shown with or without answers (turning it on is how answers start). */}
      <section class="an-section" aria-labelledby="an-nps-follow-up">
        <h2 id="an-nps-follow-up">NPS follow-up after visits</h2>
        <NpsFollowUpSetting />
      </section>
    </>
  );
}
