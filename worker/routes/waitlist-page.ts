// GET/POST /w/<token>: a waitlist offer (no session). Same token rules and rate limit as the
// patient's /r/ page: a malformed, unknown or past token gets the one "not valid" page (404).
// POST action: accept | decline | leave (asks to confirm) → leave-confirmed | stay.
import { Hono } from "hono";
import { clientKeyOf } from "../auth/throttle";
import type { AppEnv } from "../env";
import { invalidLinkPage, tooManyRequestsPage } from "../patient-links/page";
import { allowRequest } from "../patient-links/rate-limit";
import { acceptOffer, declineOffer, markOpened, offerStatus, resolveOffer } from "../waitlist/accept";
import { canLeave, leaveWaitlist } from "../waitlist/leave";
import { offerPage } from "../waitlist/offer-page";
import { PAGE_LIMIT, PAGE_WINDOW_MS, patientPageHeaders as headers } from "./patient-page";

export const waitlistPageRoutes = new Hono<AppEnv>();

waitlistPageRoutes.use("/:token", async (c, next) => {
  // As /r/: an IPv6 subscriber owns a whole /64, so the budget is per /64, not per address.
  const ip = clientKeyOf(c.req.header("cf-connecting-ip"));
  if (!(await allowRequest(c.env.DB, `w:${ip}`, PAGE_LIMIT, PAGE_WINDOW_MS))) return c.html(tooManyRequestsPage(), 429, { ...headers, "retry-after": "600" });
  await next();
});

waitlistPageRoutes.get("/:token", async (c) => {
  const now = Date.now();
  const o = await resolveOffer(c.env.DB, c.req.param("token"), now);
  if (!o) return c.html(invalidLinkPage(), 404, headers);
  const state = offerStatus(o, now);
  if (state === "open") await markOpened(c.env, o, now);
  return c.html(offerPage(o, state), 200, headers);
});

waitlistPageRoutes.post("/:token", async (c) => {
  const now = Date.now();
  const o = await resolveOffer(c.env.DB, c.req.param("token"), now);
  if (!o) return c.html(invalidLinkPage(), 404, headers);
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  if (form.action === "decline") {
    const declined = await declineOffer(c.env, o, now);
    return c.html(offerPage(o, declined ? "declined" : offerStatus(o, now)), 200, headers);
  }
  if (form.action === "leave") return c.html(offerPage(o, canLeave(o) ? "confirm-leave" : offerStatus(o, now)), 200, headers);
  if (form.action === "leave-confirmed") {
    const left = await leaveWaitlist(c.env, o, now);
    return c.html(offerPage(o, left ? "left-now" : offerStatus(o, now)), 200, headers);
  }
  if (form.action !== "accept") return c.html(offerPage(o, offerStatus(o, now)), 200, headers);
  const r = await acceptOffer(c.env, o, now);
  return c.html(offerPage(o, r.ok ? ("standing" in r ? "standing-now" : "booked-now") : r.reason), 200, headers);
});
