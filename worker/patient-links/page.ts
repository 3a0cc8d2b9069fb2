// The patient's confirm/cancel page: plain server-rendered HTML (no app bundle, no log-in, no
// script), readable on a phone. It shows only clinic, doctor, date and time, where (address or
// video link) and the clinic's phone — nothing else about the patient.
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const STYLE = `body{font:17px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f5f7fa;color:#1a2330}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}h1{font-size:1.35rem;margin:.2rem 0 1rem}
.card{background:#fff;border-radius:12px;padding:1rem 1.1rem;box-shadow:0 1px 3px #0002}dl{margin:0}dt{font-size:.85rem;color:#5a6675}dd{margin:0 0 .7rem}
form{display:flex;gap:.75rem;margin-top:1.2rem;flex-wrap:wrap}button{flex:1;min-width:9rem;font:inherit;padding:.85rem 1rem;border-radius:10px;border:0;cursor:pointer}
.ok{background:#1b7f4b;color:#fff}.cancel{background:#fff;color:#a21c1c;border:2px solid #a21c1c}.msg{padding:.8rem 1rem;border-radius:10px;margin:0 0 1rem}
.msg.good{background:#e3f5ea}.msg.bad{background:#fdecec}a{color:#1d4ed8}
.move{display:block;text-align:center;margin-top:.75rem;padding:.85rem 1rem;border-radius:10px;border:2px solid #1d4ed8;text-decoration:none}
.days details{background:#fff;border-radius:12px;margin:0 0 .6rem;box-shadow:0 1px 3px #0002}.days summary{padding:.85rem 1rem;cursor:pointer;font-weight:600}
.days form{margin:0;padding:0 1rem 1rem;display:grid;grid-template-columns:repeat(auto-fill,minmax(5.5rem,1fr));gap:.5rem}.days button{min-width:0;background:#e8effd;color:#1a2330;padding:.75rem .5rem}`;

export function shell(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export interface PageAppointment {
  clinic: string;
  doctor: string;
  date: string;
  time: string;
  timeZone: string;
  address: string;
  videoUrl: string | null;
  phone: string;
  status: string;
  canConfirm: boolean;
  canCancel: boolean;
  cutoffNote: string | null;
  /** Where "Choose another time" leads (self-reschedule), or null when the patient may not move it. */
  rescheduleHref?: string | null;
  /** Blocks other modules add under the appointment (HTML they have escaped), e.g. the NPS question (analytics/nps.ts). */
  extraHtml?: string;
}

export function appointmentPage(a: PageAppointment, message: { kind: "good" | "bad"; text: string } | null): string {
  const where = a.videoUrl
    ? `<dt>Video visit</dt><dd><a href="${esc(a.videoUrl)}" rel="noreferrer">Join the video visit</a></dd>`
    : a.address
      ? `<dt>Address</dt><dd>${esc(a.address)}</dd>`
      : "";
  const status = a.status === "cancelled" ? "Cancelled" : a.status === "confirmed" ? "Confirmed" : a.status === "scheduled" ? "Booked" : "Closed";
  const buttons =
    a.canConfirm || a.canCancel
      ? `<form method="post">${a.canConfirm ? `<button class="ok" name="action" value="confirm">Confirm</button>` : ""}${
          a.canCancel ? `<button class="cancel" name="action" value="cancel">Cancel appointment</button>` : ""
        }</form>`
      : "";
  const move = a.rescheduleHref ? `<a class="move" href="${esc(a.rescheduleHref)}">Choose another time</a>` : "";
  const phone = a.phone ? `<p>To reschedule, call <a href="tel:${esc(a.phone.replace(/[^\d+]/g, ""))}">${esc(a.phone)}</a>.</p>` : "";
  return shell(
    `${a.clinic}: your appointment`,
    `${message ? `<p class="msg ${message.kind}" role="status">${esc(message.text)}</p>` : ""}<h1>Your appointment at ${esc(a.clinic)}</h1>
<div class="card"><dl><dt>With</dt><dd>${esc(a.doctor)}</dd><dt>When</dt><dd>${esc(a.date)} at ${esc(a.time)} <small>(${esc(a.timeZone)})</small></dd>${where}
<dt>Status</dt><dd>${status}</dd></dl>${buttons}${move}${a.cutoffNote ? `<p>${esc(a.cutoffNote)}</p>` : ""}</div>${a.extraHtml ?? ""}${phone}`,
  );
}

/** The one answer for a malformed, unknown or expired link: the same page whatever the cause (no oracle). */
export function invalidLinkPage(): string {
  return shell("Link not valid", `<h1>This link is not valid</h1><div class="card"><p>The link may have expired or been mistyped. Please contact your clinic.</p></div>`);
}

export function tooManyRequestsPage(): string {
  return shell("Please wait", `<h1>Please wait a moment</h1><div class="card"><p>Too many requests. Try again in a few minutes.</p></div>`);
}
