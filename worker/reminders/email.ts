// A reminder e-mail as MIME (text + HTML alternative) through the same send_email binding as
// invites (worker/email/sender.ts). The Message-ID is derived from the reminder's id, so a
// receiving server that de-duplicates by Message-ID sees one message even if a send is ever
// repeated by the platform.
import { createMimeMessage } from "mimetext";
import { foldHeaders } from "../email/mime";

export function buildReminderMime(m: {
  from: { name: string; addr: string };
  to: string;
  subject: string;
  text: string;
  html: string;
  reminderId: string;
  domain: string;
}): string {
  const msg = createMimeMessage();
  msg.setSender({ name: m.from.name, addr: m.from.addr });
  msg.setRecipient(m.to);
  msg.setSubject(m.subject);
  msg.setHeader("Message-ID", `<reminder.${m.reminderId}@${m.domain}>`);
  // The clinic name as a safe, folded display name (as in invites).
  foldHeaders(msg);
  const b64 = (s: string) => Buffer.from(s, "utf-8").toString("base64").replace(/.{1,76}/g, "$&\r\n").trimEnd();
  msg.addMessage({ contentType: "text/plain", data: b64(m.text), encoding: "base64" });
  msg.addMessage({ contentType: "text/html", data: b64(m.html), encoding: "base64" });
  return msg.asRaw().replace(/\r?\n/g, "\r\n");
}
