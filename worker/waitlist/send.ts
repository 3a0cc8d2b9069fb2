// Sending one waitlist offer: the personal link /w/<token> by SMS or e-mail, through the same
// SMS provider (sms/provider.ts, E.164 via sms/phone.ts) and e-mail sender (the send_email
// binding, reminders' MIME) as reminders. What an offer says: clinic, doctor, date and time,
// the type only when the clinic has not marked it sensitive — never the reason, never anything
// about another patient, and (SMS) never the patient's name.
import { clinicDateTime } from "../email/templates";
import { emailSenderFor } from "../email/sender";
import type { Env } from "../env";
import { buildReminderMime } from "../reminders/email";
import { SmsSendError, smsProviderFor } from "../sms/provider";
import { toE164 } from "../sms/phone";

export interface OfferMessage {
  clinic: string;
  doctor: string;
  startMs: number;
  timeZone: string;
  /** The appointment type, or null when the clinic marks it sensitive. */
  type: string | null;
  link: string;
  /** Minutes to answer (one-at-a-time mode), or null (first to accept wins). */
  replyMinutes: number | null;
  phone: string;
  /** A standby offer (./standby.ts): the time is still booked; the final point and whether an unconfirmed booking is released then. */
  standby?: { finalAt: number; ifUnconfirmed: boolean } | null;
}

/** The plain condition of a standby offer, in the offer, the page and the news: never who holds the time. */
export function standbyCondition(s: { finalAt: number; ifUnconfirmed: boolean }, timeZone: string): string {
  const { date, time } = clinicDateTime(s.finalAt, timeZone);
  return `It becomes yours only if the patient booked at that time cancels${s.ifUnconfirmed ? " or has not confirmed" : ""} by ${date} at ${time}.`;
}

export function offerText(m: OfferMessage): string {
  const { date, time } = clinicDateTime(m.startMs, m.timeZone);
  const what = m.type ? ` ${m.type}` : "";
  const hurry = m.replyMinutes ? ` It is held for you for ${m.replyMinutes} minutes.` : " The first to accept gets it.";
  if (m.standby)
    return `${m.clinic}: standby offer for an earlier${what} appointment with ${m.doctor} on ${date} at ${time}. It is booked by someone else now. ${standbyCondition(m.standby, m.timeZone)}${m.replyMinutes ? ` Answer within ${m.replyMinutes} minutes.` : ""} Stand by: ${m.link}`;
  return `${m.clinic}: an earlier${what} appointment is free with ${m.doctor} on ${date} at ${time}.${hurry} Book it: ${m.link}`;
}

export function offerEmail(m: OfferMessage): { subject: string; text: string; html: string } {
  const { date, time } = clinicDateTime(m.startMs, m.timeZone);
  const text = `${offerText(m)}\n\nIf you cannot take it, do nothing: you stay on the waitlist.${m.phone ? ` Questions: ${m.phone}.` : ""}`;
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
  const html = `<p>${esc(offerText({ ...m, link: "" }).replace(/ (Book it|Stand by): $/, ""))}</p><p><a href="${esc(m.link)}">${m.standby ? "Stand by for" : "Book"} ${esc(date)} at ${esc(time)}</a></p><p>If you cannot take it, do nothing: you stay on the waitlist.</p>`;
  const subject = m.standby ? `${m.clinic}: standby offer for an earlier appointment (${date} ${time})` : `${m.clinic}: an earlier appointment is free (${date} ${time})`;
  return { subject, text, html };
}

export interface OfferRecipient {
  offerId: string;
  channel: "sms" | "email";
  phone: string;
  email: string;
  clinicDomain: string;
  /** The clinic's country (ISO 3166 alpha-2): how national phone numbers are read. */
  clinicCountry: string;
}

/** Sends the offer; returns the SMS provider's message id (or null for e-mail). Throws SmsSendError or the sender's error. */
export function sendOffer(env: Env, to: OfferRecipient, m: OfferMessage): Promise<string | null> {
  return sendText(env, to, { ...offerEmail(m), sms: offerText(m), clinic: m.clinic });
}

/** One short message on the offer's channel (offers, and the standby news of ./standby.ts). */
export async function sendText(
  env: Env,
  to: OfferRecipient,
  m: { clinic: string; subject: string; text: string; html: string; sms: string; /** Message-ID part after the offer id (a later message about the same offer). */ suffix?: string },
): Promise<string | null> {
  if (to.channel === "email") {
    const sender = emailSenderFor(env);
    if (!sender) throw new SmsSendError("No EMAIL (send_email) binding is configured.", "permanent");
    const from = env.EMAIL_FROM || `calendar@${to.clinicDomain}`;
    // The reminders' MIME builder; its Message-ID <reminder.waitlist.<offer id>@…> is unique per offer.
    const raw = buildReminderMime({ from: { name: m.clinic, addr: from }, to: to.email, subject: m.subject, text: m.text, html: m.html, reminderId: `waitlist.${to.offerId}${m.suffix ? `.${m.suffix}` : ""}`, domain: from.split("@")[1] ?? to.clinicDomain });
    await sender.send({ from, to: to.email, raw });
    return null;
  }
  const sms = smsProviderFor(env);
  if (!sms) throw new SmsSendError("SMS is not set up on this server (TWILIO_* settings).", "permanent");
  const e164 = toE164(to.phone, { country: to.clinicCountry, callingCode: env.SMS_DEFAULT_COUNTRY_CODE });
  if (!e164) throw new SmsSendError("The patient's phone number cannot be written in international form (+country code).", "permanent");
  const res = await sms.send({ to: e164, body: m.sms });
  return res.id;
}
