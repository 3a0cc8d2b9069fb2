// Phone numbers as patients give them ("07700 900123", "+44 7700 900123") ↔ E.164, the only form
// SMS providers take and send back. A number without a leading + is national: its leading 0 is
// replaced by the deployment's SMS_DEFAULT_COUNTRY_CODE (e.g. 44). Without that setting such a
// number cannot be texted (null), rather than guessed.
export function toE164(phone: string, defaultCountryCode: string | undefined): string | null {
  const digits = phone.replace(/\D/g, "");
  if (!digits) return null;
  if (phone.trim().startsWith("+")) return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
  if (phone.trim().startsWith("00")) return toE164(`+${digits.slice(2)}`, undefined);
  const cc = (defaultCountryCode ?? "").replace(/\D/g, "");
  if (!cc) return null;
  const national = digits.replace(/^0/, "");
  const full = cc + national;
  return full.length >= 8 && full.length <= 15 ? `+${full}` : null;
}

/** The forms a stored phone_digits may have for an incoming E.164 number (international and national). */
export function storedDigitCandidates(e164: string, defaultCountryCode: string | undefined): string[] {
  const digits = e164.replace(/\D/g, "");
  const out = new Set([digits]);
  const cc = (defaultCountryCode ?? "").replace(/\D/g, "");
  if (cc && digits.startsWith(cc)) {
    out.add("0" + digits.slice(cc.length));
    out.add(digits.slice(cc.length));
  }
  return [...out].filter(Boolean);
}
