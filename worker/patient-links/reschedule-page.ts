// The "Choose another time" part of the patient's page (/r/<token>?choose=1): free times grouped
// by day, each day a <details> (the first one open) holding one plain form whose buttons each
// submit one start time — no script, works on any phone. Posting action=reschedule moves the
// appointment (./reschedule.ts); a time taken meanwhile shows the fresh list with a message.
import type { Context } from "hono";
import { getAppointment } from "../appointments/queries";
import { clinicDateTime } from "../email/templates";
import type { AppEnv } from "../env";
import { clinicContact } from "./actions";
import { esc, invalidLinkPage, shell } from "./page";
import { sameVisitHolder, type VisitRef } from "./links";
import { type DayChoices, patientReschedule, rescheduleChoices, rescheduleRules } from "./reschedule";

type Message = { kind: "good" | "bad"; text: string } | null;
type Link = VisitRef;

export function choicesPage(current: { date: string; time: string }, days: DayChoices[], message: Message, backHref: string): string {
  const list = days.length
    ? `<div class="days">${days
        .map(
          (d, i) =>
            `<details${i === 0 ? " open" : ""}><summary>${esc(d.label)} <small>(${d.slots.length} ${d.slots.length === 1 ? "time" : "times"})</small></summary>` +
            `<form method="post"><input type="hidden" name="action" value="reschedule">${d.slots
              .map((s) => `<button name="start" value="${s.startMs}">${esc(s.time)}</button>`)
              .join("")}</form></details>`,
        )
        .join("")}</div>`
    : `<div class="card"><p>There is no free time in the coming days. Please call the clinic.</p></div>`;
  return shell(
    "Choose another time",
    `${message ? `<p class="msg ${message.kind}" role="status">${esc(message.text)}</p>` : ""}<h1>Choose another time</h1>
<p>Now: ${esc(current.date)} at ${esc(current.time)}. Tap a day, then a time: your appointment moves there at once.</p>${list}<p><a href="${esc(backHref)}">Keep my appointment as it is</a></p>`,
  );
}

/** GET ?choose=1 (and after a time was taken meanwhile): the list, or the appointment page with why not. */
export async function renderChoices(
  c: Context<AppEnv>,
  link: Link,
  headers: Record<string, string>,
  message: Message,
  renderAppointment: (c: Context<AppEnv>, m: Message) => Promise<Response>,
): Promise<Response> {
  const now = Date.now();
  const [read, clinic, rules] = await Promise.all([getAppointment(c.env.DB, link.clinicId, link.appointmentId), clinicContact(c.env.DB, link.clinicId), rescheduleRules(c.env.DB, link.clinicId)]);
  const a = sameVisitHolder(read, link.patientId);
  if (!a || !clinic) return c.html(invalidLinkPage(), 404, headers);
  const choices = await rescheduleChoices(c.env, a, clinic, rules, now);
  if (!choices.ok) return renderAppointment(c, { kind: "bad", text: choices.message });
  return c.html(choicesPage(clinicDateTime(Date.parse(a.start), clinic.timeZone), choices.days, message, `/r/${c.req.param("token")}`), 200, headers);
}

/** POST action=reschedule start=<epoch ms>. */
export async function rescheduleAction(
  c: Context<AppEnv>,
  link: Link,
  start: unknown,
  headers: Record<string, string>,
  renderAppointment: (c: Context<AppEnv>, m: Message) => Promise<Response>,
): Promise<Response> {
  const startMs = typeof start === "string" && /^\d{10,15}$/.test(start) ? Number(start) : NaN;
  if (!Number.isSafeInteger(startMs)) return renderChoices(c, link, headers, { kind: "bad", text: "Choose one of the times below." }, renderAppointment);
  const r = await patientReschedule(c.env, link, startMs);
  if (r.ok) {
    const clinic = await clinicContact(c.env.DB, link.clinicId);
      const { date, time } = clinicDateTime(Date.parse(r.appointment.start), clinic?.timeZone ?? "UTC");
    return renderAppointment(c, { kind: "good", text: `Your appointment is moved to ${date} at ${time}.` });
  }
  if (r.reason === "taken") return renderChoices(c, link, headers, { kind: "bad", text: r.message }, renderAppointment);
  return renderAppointment(c, { kind: "bad", text: r.message });
}
