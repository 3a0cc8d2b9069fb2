// The invite e-mail as a MIME message, built with mimetext (the library
// Cloudflare's send_email docs use): multipart/mixed with a text/plain +
// text/html alternative and the .ics as
//   text/calendar; charset=utf-8; method=REQUEST|CANCEL
// (mimetext only allows text/plain and text/html as body parts, so the calendar
// travels as an attachment named invite.ics / cancel.ics; Gmail, Outlook and
// Apple Mail all offer to add/update/remove the event from it).
// mimetext does not wrap base64 nor use CRLF everywhere; we do both, so every
// line stays under the 998-octet limit of RFC 5322.
import { createMimeMessage } from "mimetext";

export interface InviteMail {
  from: { name: string; addr: string };
  to: string;
  subject: string;
  text: string;
  html: string;
  ics: string;
  method: "REQUEST" | "CANCEL";
  /** Message-ID domain. */
  domain: string;
}

function base64Lines(s: string): string {
  const b64 = Buffer.from(s, "utf-8").toString("base64");
  return b64.replace(/.{1,76}/g, "$&\r\n").trimEnd();
}

export function buildInviteMime(m: InviteMail): { raw: string; messageId: string } {
  const msg = createMimeMessage();
  msg.setSender({ name: m.from.name, addr: m.from.addr });
  msg.setRecipient(m.to);
  msg.setSubject(m.subject);
  const messageId = `<${crypto.randomUUID()}@${m.domain}>`;
  msg.setHeader("Message-ID", messageId);
  msg.addMessage({ contentType: "text/plain", data: base64Lines(m.text), encoding: "base64" });
  msg.addMessage({ contentType: "text/html", data: base64Lines(m.html), encoding: "base64" });
  msg.addAttachment({
    filename: m.method === "CANCEL" ? "cancel.ics" : "invite.ics",
    contentType: `text/calendar; charset=utf-8; method=${m.method}`,
    data: base64Lines(m.ics),
    encoding: "base64",
  });
  const raw = msg.asRaw().replace(/\r?\n/g, "\r\n");
  return { raw, messageId };
}
