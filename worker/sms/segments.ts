// How many SMS parts a text costs: GSM-7 (the default alphabet and its extension table) fits 160
// characters in one message and 153 per part when split; any other character switches the whole
// message to UCS-2: 70, then 67 per part (counted in UTF-16 code units, as carriers do).
// Used by the template editor's counter and to warn before saving a template that splits.
const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENDED = "^{}\\[~]|€\f";

export interface SmsLength {
  encoding: "GSM-7" | "UCS-2";
  /** Characters as the encoding counts them (GSM-7 extension characters count twice). */
  units: number;
  segments: number;
}

export function smsLength(text: string): SmsLength {
  let units = 0;
  for (const ch of text) {
    if (GSM7_BASIC.includes(ch)) units += 1;
    else if (GSM7_EXTENDED.includes(ch)) units += 2;
    else {
      const ucs = text.length; // UTF-16 code units
      return { encoding: "UCS-2", units: ucs, segments: ucs <= 70 ? 1 : Math.ceil(ucs / 67) };
    }
  }
  return { encoding: "GSM-7", units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
}
