// Phone numbers as patients and staff type them ("07700 900123", "+44 (0) 7700 900123",
// "0044 7700 900123") ↔ E.164 (+447700900123), the only form SMS providers take and send back.
//
// Parsing is libphonenumber-js (the maintained port of Google's libphonenumber, "min" metadata:
// ~80 kB): national trunk prefixes, the "(0)" British habit, 00/011 international prefixes and
// per-country lengths are exactly the rules a hand-written regex gets wrong. A number without
// an international prefix is read in the clinic's country (clinics.country, ISO 3166 alpha-2),
// or, when that is not set, with the deployment's SMS_DEFAULT_COUNTRY_CODE (calling code, e.g.
// 44). "Possible" (right length for its country) is the bar, not "valid": a number range new to
// the metadata, or the reserved drama ranges used in tests, must still be textable.
import { type CountryCode, getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/min";

/** Where national numbers are read: the clinic's country, else the deployment's calling code. */
export interface PhoneRegion {
  country?: string | null;
  callingCode?: string | null;
}

function parseOptions(region: PhoneRegion): { defaultCountry?: CountryCode; defaultCallingCode?: string } {
  const country = (region.country ?? "").trim().toUpperCase();
  if (country && isSupportedCountry(country)) return { defaultCountry: country as CountryCode };
  const cc = (region.callingCode ?? "").replace(/\D/g, "");
  return cc ? { defaultCallingCode: cc } : {};
}

/** E.164 for a typed number, or null when it cannot be one (too short/long, no region for a national number). */
export function toE164(phone: string, region: PhoneRegion): string | null {
  const text = phone.trim();
  if (!/\d/.test(text) || text.length > 40) return null;
  try {
    const n = parsePhoneNumberFromString(text, parseOptions(region));
    return n && n.isPossible() ? n.number : null;
  } catch {
    return null;
  }
}

/**
 * What patients.phone_digits stores: the E.164 digits (no "+") when the number parses, so
 * "07700 900123" and "+44 (0) 7700 900123" are one and the same number for search and for
 * SMS replies; otherwise the typed digits (an extension, a number from nowhere we know).
 */
export function storedPhoneDigits(phone: string, region: PhoneRegion): string {
  const e164 = toE164(phone, region);
  return e164 ? e164.slice(1) : phone.replace(/\D/g, "");
}

/**
 * The phone_digits prefixes a typed search (possibly a partial number) can match: the digits
 * as typed (rows saved before numbers were normalized) and the international form — the whole
 * number when it parses, or for a partial national number its trunk "0" replaced by the
 * region's calling code ("07700 9" → "447009"… i.e. "4477009").
 */
export function phoneSearchPrefixes(query: string, region: PhoneRegion): string[] {
  const digits = query.replace(/\D/g, "");
  if (!digits) return [];
  const out = new Set([digits]);
  const full = toE164(query, region);
  if (full) out.add(full.slice(1));
  const t = query.trim();
  if (t.startsWith("+")) out.add(digits);
  else if (t.startsWith("00")) out.add(digits.slice(2));
  else if (digits.startsWith("0")) {
    const cc = callingCodeOf(region);
    if (cc) out.add(cc + digits.replace(/^0/, ""));
  }
  return [...out].filter(Boolean);
}

function callingCodeOf(region: PhoneRegion): string | null {
  const o = parseOptions(region);
  if (o.defaultCallingCode) return o.defaultCallingCode;
  return o.defaultCountry ? getCountryCallingCode(o.defaultCountry) : null;
}

/** The forms a stored phone_digits may have for an incoming E.164 number: international, and national for rows saved before normalization. */
export function storedDigitCandidates(e164: string, region: PhoneRegion): string[] {
  const digits = e164.replace(/\D/g, "");
  const out = new Set([digits]);
  const n = parsePhoneNumberFromString(`+${digits}`);
  if (n) {
    out.add("0" + n.nationalNumber);
    out.add(String(n.nationalNumber));
  } else {
    const cc = callingCodeOf(region);
    if (cc && digits.startsWith(cc)) {
      out.add("0" + digits.slice(cc.length));
      out.add(digits.slice(cc.length));
    }
  }
  return [...out].filter(Boolean);
}
