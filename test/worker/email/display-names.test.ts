// Issue #17: the clinic name is the display name of every invite's and reminder's From. A name
// with RFC 5322 specials must stay one display name: unquoted, "Smith, Jones & Partners" made
// two mailboxes (the send_email binding then refuses every e-mail of that clinic) and
// "Support <security@bank.example>" put a second address into From (a spoof). Checked with
// postal-mime (an independent parser) and the real send_email binding.
import { env } from "cloudflare:workers";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { mailboxHeader } from "../../../worker/email/header-words";
import { buildInviteMime } from "../../../worker/email/mime";
import { bindingSender } from "../../../worker/email/sender";
import { buildReminderMime } from "../../../worker/reminders/email";

const HOSTILE = [
  "Smith, Jones & Partners",
  "Support <security@bank.example>",
  'Dr "Who" Clinic',
  "Back\\slash; (comment) @ clinic: [x]",
  "=?utf-8?B?U3Bvb2Y=?= Clinic",
  "Praxis Dr. Müller, Köln",
  "A".repeat(70) + ", " + "B".repeat(70),
  "Clinic\u202Eevil",
];
const ADDR = "calendar@acms.example";

const invite = (name: string) =>
  buildInviteMime({ from: { name, addr: ADDR }, to: "zoe@mail.example", subject: "Your appointment", text: "t", html: "<p>t</p>", ics: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", method: "REQUEST", domain: "acms.example" }).raw;
const reminder = (name: string) =>
  buildReminderMime({ from: { name, addr: ADDR }, to: "zoe@mail.example", subject: "Reminder", text: "t", html: "<p>t</p>", reminderId: "a".repeat(32), domain: "acms.example" });

describe("display names are encoded per RFC 5322 / RFC 2047", () => {
  for (const [kind, build] of [["invite", invite], ["reminder", reminder]] as const)
    it.each(HOSTILE)(`${kind}: %s stays one display name of one From address, and the binding sends it`, async (name) => {
      const raw = build(name);
      const fromLines = raw.split("\r\n\r\n")[0].replace(/\r\n[ \t]/g, " ").split("\r\n").filter((l) => /^from:/i.test(l));
      expect(fromLines).toHaveLength(1);
      for (const line of raw.split("\r\n\r\n")[0].split("\r\n")) expect(line.length).toBeLessThanOrEqual(78);
      const parsed = await PostalMime.parse(raw);
      expect(parsed.from?.address).toBe(ADDR);
      expect(parsed.from?.name).toBe(name);
      await bindingSender(env.EMAIL!).send({ from: ADDR, to: "zoe@mail.example", raw });
    });

  it.each([
    ["Riverside Clinic", "From: Riverside Clinic <calendar@acms.example>"],
    ["Smith, Jones & Partners", 'From: "Smith, Jones & Partners" <calendar@acms.example>'],
    ['Dr "Who"', 'From: "Dr \\"Who\\"" <calendar@acms.example>'],
    ["", "From: calendar@acms.example"],
  ])("%s → %s", (name, header) => {
    expect(mailboxHeader("From", name, ADDR)).toBe(header);
  });
});
