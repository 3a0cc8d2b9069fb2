// The invite MIME message: the structure Gmail and Outlook need for their RSVP card
// (text/calendar; method=… inside multipart/alternative next to text and HTML), an
// .ics attachment for everyone else, and header lines ≤ 78 characters with long
// non-ASCII subjects and names split into RFC 2047 words that decode back exactly.
// Read back with postal-mime (an independent parser, the one Cloudflare's e-mail
// docs use) and with the real send_email binding, which refuses broken MIME.
import { env } from "cloudflare:workers";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { decodeHeaderValue, encodedHeader, encodedWords } from "../../../worker/email/header-words";
import { buildInviteMime, type InviteMail } from "../../../worker/email/mime";
import { bindingSender } from "../../../worker/email/sender";
import { strictProblems } from "../ics/strict";
import { renderCalendar } from "../../../worker/ics/render";

const ICS = renderCalendar({
  clinic: { id: "c".repeat(32), name: "Praxis", timeZone: "Europe/Berlin", address: "Hauptstraße 1", domain: "acms.example", reminderMinutes: [60] },
  appointments: [
    {
      id: "a".repeat(32),
      doctorId: "d".repeat(32),
      doctorName: "Dr. Müller",
      patientName: "Zoë",
      patientEmail: "zoe@mail.example",
      startMs: Date.parse("2027-03-01T09:00:00Z"),
      endMs: Date.parse("2027-03-01T09:30:00Z"),
      type: "consultation",
      status: "scheduled",
      version: 1,
      createdAt: 0,
      updatedAt: 0,
    },
  ],
  privacy: "full",
  appUrl: "https://acms.example",
  method: "REQUEST",
  organizer: { name: "Praxis", email: "calendar@acms.example" },
});

const LONG_SUBJECT = "Ihr Termin bei Dr. Müller-Lüdenscheidt in der Praxis Süd – Ärztehaus am Königsplatz: Montag, 1. März 2027 um 10:00 Uhr 🩺 (bitte bestätigen)";
const LONG_NAME = "Gemeinschaftspraxis für Allgemeinmedizin Dr. Ölçüm & Dr. Ångström-Łukasz – Zweigstelle Süd";

const mail = (over: Partial<InviteMail> = {}): InviteMail => ({
  from: { name: LONG_NAME, addr: "calendar@acms.example" },
  to: "zoe@mail.example",
  subject: LONG_SUBJECT,
  text: "Hallo Zoë,\nIhr Termin …",
  html: "<p>Hallo Zoë,</p><p>Ihr Termin …</p>",
  ics: ICS,
  method: "REQUEST",
  domain: "acms.example",
  ...over,
});

interface Part {
  type: string;
  headers: string;
  children: Part[];
  body: string;
}

/** Parses the MIME tree strictly by its boundaries (our own walk: exact bytes, no normalizing). */
function tree(text: string): Part {
  const sep = text.indexOf("\r\n\r\n");
  const headers = text.slice(0, sep);
  const body = text.slice(sep + 4);
  const unfolded = headers.replace(/\r\n[ \t]+/g, " ");
  const type = /^content-type:\s*([^;\r\n]+)/im.exec(unfolded)?.[1].trim().toLowerCase() ?? "text/plain";
  const boundary = /boundary="([^"]+)"/i.exec(unfolded)?.[1];
  if (!type.startsWith("multipart/") || !boundary) {
    const decoded = /content-transfer-encoding:\s*base64/i.test(unfolded) ? new TextDecoder().decode(Uint8Array.from(atob(body.replace(/\r\n/g, "")), (c) => c.charCodeAt(0))) : body;
    return { type, headers: unfolded, children: [], body: decoded };
  }
  const chunks = body.split(`--${boundary}`);
  expect(chunks.at(-1)!.startsWith("--"), "closing boundary").toBe(true);
  const children = chunks.slice(1, -1).map((c) => tree(c.replace(/^\r\n/, "").replace(/\r\n$/, "")));
  return { type, headers: unfolded, children, body: "" };
}

describe("invite MIME", () => {
  it("is multipart/mixed [ multipart/alternative [text, html, text/calendar; method=REQUEST], application/ics attachment ]", async () => {
    const { raw } = buildInviteMime(mail());
    const root = tree(raw);
    expect(root.type).toBe("multipart/mixed");
    expect(root.children.map((c) => c.type)).toEqual(["multipart/alternative", "application/ics"]);
    const alt = root.children[0];
    expect(alt.children.map((c) => c.type)).toEqual(["text/plain", "text/html", "text/calendar"]);
    const cal = alt.children[2];
    expect(cal.headers).toMatch(/content-type: text\/calendar; charset=utf-8; method=REQUEST/i);
    expect(cal.headers).not.toMatch(/content-disposition/i); // inline, the RSVP card
    expect(cal.body).toBe(ICS);
    expect(strictProblems(cal.body)).toEqual([]);
    const attachment = root.children[1];
    expect(attachment.headers).toMatch(/content-disposition: attachment; filename="invite.ics"/i);
    expect(attachment.body).toBe(ICS);

    // An independent parser agrees.
    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe(LONG_SUBJECT);
    expect(parsed.from?.name).toBe(LONG_NAME);
    expect(parsed.from?.address).toBe("calendar@acms.example");
    expect(parsed.text?.trim()).toBe("Hallo Zoë,\nIhr Termin …");
    expect(parsed.html).toContain("Hallo Zoë");
    const calParts = parsed.attachments.filter((a) => a.mimeType === "text/calendar" || a.mimeType === "application/ics");
    expect(calParts.map((a) => [a.mimeType, a.method ?? null, a.disposition])).toEqual([
      ["text/calendar", "REQUEST", null],
      ["application/ics", null, "attachment"],
    ]);
  });

  it("CANCEL uses method=CANCEL and cancel.ics", async () => {
    const { raw } = buildInviteMime(mail({ method: "CANCEL" }));
    const alt = tree(raw).children[0];
    expect(alt.children[2].headers).toMatch(/method=CANCEL/);
    expect(raw).toContain('filename="cancel.ics"');
  });

  it("keeps every line ≤ 78 characters, ends every line with CRLF, and splits long subjects/names into words ≤ 75", () => {
    const { raw } = buildInviteMime(mail());
    expect(raw.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(raw.endsWith("\r\n")).toBe(true);
    for (const line of raw.split("\r\n")) expect(line.length, line).toBeLessThanOrEqual(78);
    const head = raw.slice(0, raw.indexOf("\r\n\r\n"));
    for (const w of head.match(/=\?[^?]+\?[BQbq]\?[^?]*\?=/g) ?? []) expect(w.length).toBeLessThanOrEqual(75);
    const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(head)![1];
    expect(subject.split("\r\n").length).toBeGreaterThan(2);
    expect(decodeHeaderValue(subject)).toBe(LONG_SUBJECT);
    const from = /^From: (.*(?:\r\n[ \t].*)*)/m.exec(head)![1];
    expect(decodeHeaderValue(from)).toBe(`${LONG_NAME} <calendar@acms.example>`);
    expect(head).toMatch(/^Message-ID: <[A-Za-z0-9_-]{22}@acms\.example>$/m);
    expect(head).toMatch(/^MIME-Version: 1\.0$/m);
  });

  it("folds a Message-ID that a long sender domain would push past 78 characters", async () => {
    const domain = "calendar.a-rather-long-clinic-domain-name.example"; // 50 characters
    const { raw, messageId } = buildInviteMime(mail({ domain }));
    const head = raw.slice(0, raw.indexOf("\r\n\r\n"));
    for (const line of head.split("\r\n")) expect(line.length, line).toBeLessThanOrEqual(78);
    expect(head).toContain(`Message-ID:\r\n ${messageId}`);
    expect((await PostalMime.parse(raw)).messageId).toBe(messageId);
  });

  it("is accepted by the real send_email binding (miniflare parses and validates it)", async () => {
    const { raw } = buildInviteMime(mail());
    await expect(bindingSender(env.EMAIL!).send({ from: "calendar@acms.example", to: "zoe@mail.example", raw })).resolves.toBeUndefined();
  });
});

describe("RFC 2047 words", () => {
  it.each([
    ["ASCII short", "Your appointment"],
    ["ASCII long", "Your appointment with Dr. Smith at the Riverside Clinic on Monday, 1 March 2027 at 10:00 (Europe/London)"],
    ["4-byte characters", "🩺".repeat(40)],
    ["mixed", "Zoë 🩺 Ångström – Łukasz ".repeat(6)],
    ["looks encoded", "=?utf-8?B?Zm9v?= is text"],
    ["empty", ""],
  ])("%s: lines ≤ 78, words ≤ 75, whole characters per word, decodes back", (_name, text) => {
    const h = encodedHeader("Subject", text);
    for (const line of h.split("\r\n")) expect(line.length).toBeLessThanOrEqual(78);
    for (const w of h.match(/=\?utf-8\?B\?[^?]*\?=/g) ?? []) {
      expect(w.length).toBeLessThanOrEqual(75);
      const bytes = Uint8Array.from(atob(w.slice(10, -2)), (c) => c.charCodeAt(0));
      expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes)).not.toThrow();
    }
    expect(decodeHeaderValue(h.slice("Subject: ".length))).toBe(text);
  });

  it("fits the first word into the room left after the field name", () => {
    const words = encodedWords("x".repeat(200), 78 - "Subject: ".length);
    expect(("Subject: " + words[0]).length).toBeLessThanOrEqual(78);
    expect(words.slice(1).every((w) => w.length + 1 <= 78)).toBe(true);
  });
});
