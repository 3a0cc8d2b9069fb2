// Bytes of an uploaded or fetched .ics → text, unfolding on OCTETS first.
//
// Why octets: RFC 5545 §3.1 folds lines at 75 OCTETS, so a conforming writer may
// put "CRLF SP" in the middle of a multi-octet UTF-8 character ("Ä" = C3 84 →
// C3 CRLF SP 84). Decoding first would see two broken sequences (fatal error, or
// two U+FFFD with a lenient decoder) and lose the character; removing the fold
// first restores the sequence, and RFC 5545 says unfolding comes before any
// other processing. ical.js unfolds only decoded text, so it cannot do this.
// Bare-LF files (common from hand-made exports) are unfolded the same way.

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;

/** Removes every line break (CRLF or bare LF) that is followed by a space or tab, with that one whitespace octet. */
export function unfoldOctets(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const b = input[i];
    if (b === CR && input[i + 1] === LF && (input[i + 2] === SP || input[i + 2] === HTAB)) {
      i += 2;
      continue;
    }
    if (b === LF && (input[i + 1] === SP || input[i + 1] === HTAB)) {
      i += 1;
      continue;
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Unfolds, then decodes strict UTF-8 (a BOM is dropped). Throws TypeError on bytes that are not UTF-8. */
export function decodeIcs(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return new TextDecoder("utf-8", { fatal: true }).decode(unfoldOctets(view));
}
