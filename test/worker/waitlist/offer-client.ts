// What the waitlist tests do as a patient with an offer (/w/<token>) and as the clinic waiting
// for the doctor's hub, shared by offers.test.ts and standby.test.ts.
import { env } from "cloudflare:workers";
import { worker } from "../../helpers";

/** Waits until the doctor's hub has finished its background work (offers, bookings). */
export const hubIdle = (doctorId: string) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId)).idle();

let ipSeq = 1;
/** The patient's offer page; each call from its own address, so the per-address limit never trips. */
export const offerPage = (token: string, init: RequestInit = {}) =>
  worker.fetch(new Request(`http://localhost/w/${token}`, { ...init, headers: { "cf-connecting-ip": `198.51.100.${(ipSeq++ % 200) + 1}`, ...(init.headers ?? {}) } }));

/** The page's accept button (a plain form post: the page needs no script). */
export const accept = (token: string) => offerPage(token, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "action=accept" });

/** The offer token in a message's link. */
export const tokenIn = (text: string) => text.match(/http:\/\/localhost:8787\/w\/([A-Za-z0-9_-]{32})/)?.[1] ?? null;
