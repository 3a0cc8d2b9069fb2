// The waitlist offer page /w/<token>: plain server-rendered HTML like the patient's /r/ page
// (same shell and style, no script). It says clinic, doctor, date and time, the address — no
// reason, no type (it may be sensitive), nothing about anyone else. A standby offer (./standby.ts)
// says plainly that the time is booked by someone else and when it would become theirs.
import { clinicDateTime } from "../email/templates";
import { esc, shell } from "../patient-links/page";
import type { OfferView } from "./accept";
import { canLeave } from "./leave";
import { standbyCondition } from "./send";

export type OfferPageState =
  | "open"
  | "accepted"
  | "standing"
  | "standing-now"
  | "withdrawn"
  | "taken"
  | "expired"
  | "declined"
  | "booked-now"
  | "closed"
  | "off-list"
  | "confirm-leave"
  | "left-now";

/** States in which the patient is still on the list and may take themselves off it (./leave.ts). */
const LEAVABLE: ReadonlySet<OfferPageState> = new Set(["open", "withdrawn", "taken", "expired", "declined"]);

export function offerPage(o: OfferView, state: OfferPageState): string {
  const { date, time } = clinicDateTime(o.startMs, o.timeZone);
  const card = `<div class="card"><dl><dt>Clinic</dt><dd>${esc(o.clinic)}</dd><dt>With</dt><dd>${esc(o.doctor)}</dd><dt>When</dt><dd>${esc(date)} at ${esc(time)} <small>(${esc(o.timeZone)})</small></dd>${
    o.address ? `<dt>Address</dt><dd>${esc(o.address)}</dd>` : ""
  }</dl>${
    state === "open"
      ? `<form method="post"><button class="ok" name="action" value="accept">${o.standby ? "Stand by for this time" : "Book this time"}</button><button class="cancel" name="action" value="decline">Not this time</button></form>`
      : ""
  }</div>`;
  // Leaving asks once more (no script on this page: a second form), so a stray tap does not do it.
  const leave =
    state === "confirm-leave"
      ? `<div class="card"><form method="post"><button class="cancel" name="action" value="leave-confirmed">Take me off the waitlist</button><button class="ok" name="action" value="stay">Keep me on it</button></form></div>`
      : LEAVABLE.has(state) && canLeave(o)
        ? `<form method="post"><button class="cancel" name="action" value="leave">Take me off the waitlist</button></form>`
        : "";
  const call = o.phone ? `<p>Questions? Call <a href="tel:${esc(o.phone.replace(/[^\d+]/g, ""))}">${esc(o.phone)}</a>.</p>` : "";
  const condition = o.standby ? esc(standbyCondition(o.standby, o.timeZone)) : "";
  const standingText = `<p>You are on standby. ${condition} If that happens it is booked for you and we will tell you; if not, you stay on the waitlist.</p>`;
  const head: Record<OfferPageState, string> = {
    open: o.standby
      ? `<h1>Standby offer: this time may come free</h1><p>You are on the waitlist at ${esc(o.clinic)}. This time is booked by another patient who has not confirmed it. ${condition} Until then it is not yours: if you stand by and they keep it, you stay on the waitlist.</p>`
      : `<h1>A time has come free</h1><p>You are on the waitlist at ${esc(o.clinic)}. If this time suits you, book it now.</p>`,
    "standing-now": `<p class="msg good" role="status">You are standing by for this time.</p><h1>Standby</h1>${standingText}`,
    standing: `<p class="msg good" role="status">You are standing by for this time.</p><h1>Standby</h1>${standingText}`,
    withdrawn: `<p class="msg bad" role="status">This standby offer is withdrawn: the patient booked at this time has confirmed. You are still on the waitlist.</p><h1>Time no longer available</h1>`,
    "booked-now": `<p class="msg good" role="status">Booked: your appointment is on ${esc(date)} at ${esc(time)}. You will get a confirmation.</p><h1>Your appointment</h1>`,
    accepted: `<p class="msg good" role="status">You have booked this time.</p><h1>Your appointment</h1>`,
    taken: `<p class="msg bad" role="status">This time has been taken — you are still on the waitlist.</p><h1>Time no longer available</h1>`,
    expired: `<p class="msg bad" role="status">This offer has closed — you are still on the waitlist.</p><h1>Time no longer available</h1>`,
    declined: `<p class="msg good" role="status">Thank you — we will offer this time to someone else. You are still on the waitlist.</p><h1>Time passed on</h1>`,
    closed: `<p class="msg bad" role="status">This offer has closed.</p><h1>Time no longer available</h1>`,
    "off-list": `<p class="msg bad" role="status">You are no longer on the waitlist at ${esc(o.clinic)}, so this time is not offered to you.</p><h1>Off the waitlist</h1>`,
    "confirm-leave": `<h1>Leave the waitlist?</h1><p>We will stop offering you earlier times at ${esc(o.clinic)}. Appointments you have booked stay as they are.</p>`,
    "left-now": `<p class="msg good" role="status">Done: you are off the waitlist at ${esc(o.clinic)}. We will not offer you times any more; to join it again, contact the clinic.</p><h1>Off the waitlist</h1>`,
  };
  // Once off the list (or while asked to confirm), the offer's buttons are not shown.
  const shown = state === "confirm-leave" ? leave : `${card}${leave}`;
  return shell(`${o.clinic}: waitlist`, `${head[state]}${shown}${call}`);
}
