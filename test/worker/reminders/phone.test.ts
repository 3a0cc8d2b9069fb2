// Phone numbers in every form staff type them → E.164 in the clinic's country (libphonenumber-js),
// and what a Twilio answer proves about a message (worker/sms/twilio.ts failureOf). Pure, table-tested.
import { describe, expect, it } from "vitest";
import { phoneSearchPrefixes, storedDigitCandidates, storedPhoneDigits, toE164 } from "../../../worker/sms/phone";
import { failureOf } from "../../../worker/sms/twilio";

const GB = { country: "GB" };
const CC44 = { callingCode: "44" };
const US = { country: "US", callingCode: "44" };

describe("toE164", () => {
  it.each([
    ["+44 (0) 7700 900123", GB, "+447700900123"],
    ["07700 900123", GB, "+447700900123"],
    ["07700 900123", CC44, "+447700900123"],
    ["0044 7700 900123", GB, "+447700900123"],
    ["+44 7700 900123", {}, "+447700900123"],
    ["(020) 7946 0000", GB, "+442079460000"],
    ["(415) 555-2671", US, "+14155552671"],
    ["+1 415 555 2671", GB, "+14155552671"],
    ["07700 900123", {}, null],
    ["12", GB, null],
    ["", GB, null],
    ["not a number", GB, null],
    ["+999 1234 5678", GB, null],
  ])("%s in %o → %s", (typed, region, e164) => {
    expect(toE164(typed, region)).toBe(e164);
  });
});

describe("stored digits and search prefixes", () => {
  it.each([
    ["+44 (0) 7700 900123", "447700900123"],
    ["07700 900123", "447700900123"],
    ["ext. 12", "12"],
  ])("%s is stored as %s", (typed, digits) => {
    expect(storedPhoneDigits(typed, GB)).toBe(digits);
  });

  it.each([
    ["07700 900123", ["07700900123", "447700900123"]],
    ["07700 9", ["077009", "4477009"]],
    ["+44 7700", ["447700"]],
    ["00447700", ["00447700", "447700"]],
  ])("a search for %s looks up %o", (q, prefixes) => {
    expect(phoneSearchPrefixes(q, GB).sort()).toEqual([...prefixes].sort());
  });

  it("an incoming +447700900123 matches rows stored in E.164 and rows saved before normalization", () => {
    expect(storedDigitCandidates("+447700900123", CC44).sort()).toEqual(["07700900123", "447700900123", "7700900123"]);
  });
});

describe("what a Twilio error answer proves", () => {
  it.each([
    [429, "retry"],
    [503, "retry"],
    [500, "unknown"],
    [502, "unknown"],
    [504, "unknown"],
    [400, "permanent"],
    [401, "permanent"],
    [404, "permanent"],
  ] as const)("HTTP %i → %s", (status, failure) => {
    expect(failureOf(status)).toBe(failure);
  });
});
