// The waitlist offer page /w/<token>: plain server-rendered HTML like the patient's /r/ page
// (same shell and style, no script). It says clinic, doctor, date and time, the address — no
// reason, no type (it may be sensitive), nothing about anyone else.
import { clinicDateTime } from "../email/templates";
import { esc, shell } from "../patient-links/page";
import type { OfferView } from "./accept";

export type OfferPageState = "open" | "accepted" | "taken" | "expired" | "declined" | "booked-now";

export function offerPage(o: OfferView, state: OfferPageState): string {
  const { date, time } = clinicDateTime(o.startMs, o.timeZone);
  const card = `<div class="card"><dl><dt>Clinic</dt><dd>${esc(o.clinic)}</dd><dt>With</dt><dd>${esc(o.doctor)}</dd><dt>When</dt><dd>${esc(date)} at ${esc(time)} <small>(${esc(o.timeZone)})</small></dd>${
    o.address ? `<dt>Address</dt><dd>${esc(o.address)}</dd>` : ""
  }</dl>${
    state === "open"
      ? `<form method="post"><button class="ok" name="action" value="accept">Book this time</button><button class="cancel" name="action" value="decline">Not this time</button></form>`
      : ""
  }</div>`;
  const call = o.phone ? `<p>Questions? Call <a href="tel:${esc(o.phone.replace(/[^\d+]/g, ""))}">${esc(o.phone)}</a>.</p>` : "";
  const head: Record<OfferPageState, string> = {
    open: `<h1>A time has come free</h1><p>You are on the waitlist at ${esc(o.clinic)}. If this time suits you, book it now.</p>`,
    "booked-now": `<p class="msg good" role="status">Booked: your appointment is on ${esc(date)} at ${esc(time)}. You will get a confirmation.</p><h1>Your appointment</h1>`,
    accepted: `<p class="msg good" role="status">You have booked this time.</p><h1>Your appointment</h1>`,
    taken: `<p class="msg bad" role="status">This time has been taken — you are still on the waitlist.</p><h1>Time no longer available</h1>`,
    expired: `<p class="msg bad" role="status">This offer has closed — you are still on the waitlist.</p><h1>Time no longer available</h1>`,
    declined: `<p class="msg good" role="status">Thank you — we will offer this time to someone else. You are still on the waitlist.</p><h1>Time passed on</h1>`,
  };
  return shell(`${o.clinic}: waitlist`, `${head[state]}${card}${call}`);
}
