// RFC 2047 encoded words for header fields that carry user text (Subject, display
// names), folded so that every header line stays within 78 characters
// (RFC 5322 §2.1.1) and every encoded word within 75 (RFC 2047 §2).
//
// Why here and not in mimetext: mimetext writes the whole subject as ONE
// `=?utf-8?B?…?=` word, so a 60-character German subject becomes a 100+ character
// line, and a name can be cut mid-character by whoever folds it later. Each word
// below holds whole UTF-8 characters only (RFC 2047 §5: an encoded word must not
// split a character), and a reader joins adjacent words without the folding space
// (RFC 2047 §6.2), so the decoded text is exactly the input.

export const MAX_HEADER_LINE = 78;
const MAX_WORD = 75;
const PREFIX = "=?utf-8?B?";
const SUFFIX = "?=";

/** Plain ASCII without controls and without sequences a decoder would take for an encoded word. */
function isPlainAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s) && !s.includes("=?");
}

function b64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * Splits `text` into encoded words whose lengths fit the room on each line:
 * `firstRoom` characters on the first line, `MAX_HEADER_LINE - 1` on the next ones
 * (a continuation line starts with one space).
 */
export function encodedWords(text: string, firstRoom: number): string[] {
  const enc = new TextEncoder();
  const words: string[] = [];
  let room = Math.min(firstRoom, MAX_WORD);
  let chunk: number[] = [];
  const flush = () => {
    words.push(PREFIX + b64(Uint8Array.from(chunk)) + SUFFIX);
    chunk = [];
    room = Math.min(MAX_HEADER_LINE - 1, MAX_WORD);
  };
  for (const ch of text) {
    const bytes = enc.encode(ch);
    const next = chunk.length + bytes.length;
    // base64 of n bytes is 4·ceil(n/3) characters.
    if (chunk.length && PREFIX.length + 4 * Math.ceil(next / 3) + SUFFIX.length > room) flush();
    chunk.push(...bytes);
  }
  if (chunk.length || !words.length) flush();
  return words;
}

/**
 * A complete header field ("Name: value", continuation lines joined by CRLF SP) with
 * `value` as encoded words when it is not plain ASCII or does not fit one line.
 * `tail` (e.g. " <addr@example>") is appended verbatim, on its own line if needed.
 */
export function encodedHeader(name: string, value: string, tail = "", alwaysEncode = false): string {
  const head = `${name}: `;
  if (!alwaysEncode && isPlainAscii(value) && head.length + value.length + tail.length <= MAX_HEADER_LINE) return head + value + tail;
  const words = value ? encodedWords(value, MAX_HEADER_LINE - head.length) : [];
  const lines = words.length ? [head + words[0], ...words.slice(1).map((w) => ` ${w}`)] : [head.trimEnd()];
  if (tail) {
    const last = lines[lines.length - 1];
    if (last.length + tail.length <= MAX_HEADER_LINE) lines[lines.length - 1] = last + tail;
    else lines.push(tail.startsWith(" ") ? tail : ` ${tail}`);
  }
  return lines.join("\r\n");
}

/** A phrase of atoms (RFC 5322 §3.2.3 atext, single spaces between): safe unquoted as a display name. */
const ATOM_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+( [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;

/**
 * A mailbox header ("From: Display Name <addr>") whose display name cannot change the
 * header's meaning, whatever the clinic calls itself: a plain ASCII name is written as atoms
 * or as a quoted-string (", \ escaped; RFC 5322 §3.2.4) so commas, angle brackets, "@" or
 * ";" stay inside the name; anything else — non-ASCII, a look-alike of an encoded word, a name
 * too long for one line — becomes RFC 2047 encoded words, which a reader only ever decodes
 * into the name (RFC 2047 §5(3)). Without this, "Smith, Jones & Partners" made From two
 * mailboxes (mail refused) and "Support <x@bank.example>" put a second address in From.
 */
export function mailboxHeader(name: string, displayName: string, addr: string): string {
  if (!displayName) return `${name}: ${addr}`;
  const tail = ` <${addr}>`;
  if (isPlainAscii(displayName)) {
    const phrase = ATOM_PHRASE.test(displayName) ? displayName : `"${displayName.replace(/[\\"]/g, "\\$&")}"`;
    const line = `${name}: ${phrase}${tail}`;
    if (line.length <= MAX_HEADER_LINE) return line;
  }
  return encodedHeader(name, displayName, tail, true);
}

/** Decodes RFC 2047 B/Q words in an unfolded header value (tests and previews). */
export function decodeHeaderValue(raw: string): string {
  const unfolded = raw.replace(/\r\n[ \t]/g, " ");
  // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
  const joined = unfolded.replace(/(\?=)\s+(?==\?)/g, "$1");
  return joined.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, charset: string, kind: string, data: string) => {
    const bytes =
      kind.toUpperCase() === "B"
        ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
        : Uint8Array.from(data.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), (c) => c.charCodeAt(0));
    return new TextDecoder(charset).decode(bytes);
  });
}
