// The invite e-mail as a MIME message, in the shape Gmail and Outlook look for
// to show their inline "add to calendar / RSVP" card (the shape Google Calendar's
// own invitations have):
//
//   multipart/mixed
//   ├─ multipart/alternative
//   │   ├─ text/plain; charset=utf-8
//   │   ├─ text/html; charset=utf-8
//   │   └─ text/calendar; charset=utf-8; method=REQUEST|CANCEL   ← the card
//   └─ application/ics; name="invite.ics" (attachment)            ← for every other client
//
// The attachment is application/ics, not text/calendar, so clients that act on every
// text/calendar part (Outlook) do not see the invitation twice.
//
// mimetext (the library Cloudflare's send_email docs use) builds the top-level
// header block: it validates the mailboxes and writes Date, From, To, Message-ID
// and MIME-Version. Its body builder only knows text/plain and text/html as
// alternatives (a calendar can only be an attachment there), so the body parts are
// assembled here; and its encoded-word headers are one unbounded word, so Subject,
// From and To are written by header-words.ts (lines ≤ 78, words ≤ 75, RFC 2047).
// Every line ends in CRLF and base64 lines are 76 characters (RFC 2045 §6.8).
import { createMimeMessage, type Mailbox, type MIMEMessage } from "mimetext";
import { encodedHeader, mailboxHeader, MAX_HEADER_LINE } from "./header-words";

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

const CRLF = "\r\n";

function base64Lines(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/.{1,76}/g, `$&${CRLF}`).trimEnd();
}

/** One leaf part: its header lines, a blank line, the base64 body. */
function leaf(headers: string[], body: string): string {
  return [...headers, "Content-Transfer-Encoding: base64", "", base64Lines(body)].join(CRLF);
}

/** A multipart body: "--boundary" before each part, "--boundary--" to close (RFC 2046 §5.1.1). */
function multipart(boundary: string, parts: string[]): string {
  return parts.map((p) => `--${boundary}${CRLF}${p}${CRLF}`).join("") + `--${boundary}--`;
}

/** "=_" cannot occur in base64 text, so these boundaries never collide with a body line. */
function boundary(kind: string): string {
  const hex = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `=_acms_${kind}_${hex}`;
}

/**
 * Replaces mimetext's single-word encodings of Subject, From and To with folded RFC 2047 words
 * and safe display names (header-words.ts); mimetext writes "Name: " + what dump returns, so the
 * returned text continues that line. Used by invites and reminders alike.
 */
export function foldHeaders(msg: MIMEMessage): void {
  const fields = (msg.headers as unknown as { fields: { name: string; dump?: (v: unknown) => string }[] }).fields;
  const folded = (name: string, dump: (v: unknown) => string) => {
    const f = fields.find((x) => x.name === name);
    if (f) f.dump = (v) => dump(v).slice(name.length + 2);
  };
  const mailbox = (name: string) => (v: unknown) => {
    const box = v as Mailbox;
    return mailboxHeader(name, box.name, box.addr);
  };
  folded("Subject", (v) => encodedHeader("Subject", String(v ?? "")));
  folded("From", mailbox("From"));
  folded("To", (v) => mailbox("To")(Array.isArray(v) ? v[0] : v));
}

export function buildInviteMime(m: InviteMail): { raw: string; messageId: string } {
  const msg = createMimeMessage();
  msg.setSender({ name: m.from.name, addr: m.from.addr });
  msg.setRecipient(m.to);
  msg.setSubject(m.subject);
  // 128 random bits as 22 base64url characters (atext): shorter than a UUID, so the header fits 78 characters for longer domains.
  const messageId = `<${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}@${m.domain}>`;
  msg.setHeader("Message-ID", messageId);
  foldHeaders(msg);

  const alt = boundary("alt");
  const mixed = boundary("mix");
  const file = m.method === "CANCEL" ? "cancel.ics" : "invite.ics";
  const alternative = multipart(alt, [
    leaf(["Content-Type: text/plain; charset=utf-8"], m.text),
    leaf(["Content-Type: text/html; charset=utf-8"], m.html),
    leaf([`Content-Type: text/calendar; charset=utf-8; method=${m.method}`], m.ics),
  ]);
  const body = multipart(mixed, [
    [`Content-Type: multipart/alternative;`, ` boundary="${alt}"`, "", alternative].join(CRLF),
    leaf([`Content-Type: application/ics; name="${file}"`, `Content-Disposition: attachment; filename="${file}"`], m.ics),
  ]);
  // A long sender domain would push "Message-ID: <uuid@domain>" past 78: fold before the id
  // (RFC 5322 allows FWS there; an addr-spec or msg-id itself cannot be split).
  const head = msg.headers
    .dump()
    .replace(/\r?\n/g, CRLF)
    .replace(/^Message-ID: (.*)$/m, (line, id: string) => (line.length > MAX_HEADER_LINE ? `Message-ID:${CRLF} ${id}` : line));
  const raw = [head, "Content-Type: multipart/mixed;", ` boundary="${mixed}"`, "", body, ""].join(CRLF);
  return { raw, messageId };
}
