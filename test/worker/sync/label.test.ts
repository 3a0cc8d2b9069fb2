// Issue 17: notices named every CalDAV server "iCloud". labelOf names the server by its host
// (from the write calendar's URL) and says iCloud only for Apple's hosts. Pure, table-tested.
import { describe, expect, it } from "vitest";
import { labelOf } from "../../../worker/sync/integrations";

describe("labelOf: what notices call an integration's calendar", () => {
  it.each([
    ["google", "primary", "Google Calendar"],
    ["microsoft", "AAMkAGI2", "Outlook"],
    ["caldav", "https://p42-caldav.icloud.com/1234567/calendars/home/", "iCloud"],
    ["caldav", "https://caldav.icloud.com/1234567/calendars/work/", "iCloud"],
    ["caldav", "https://cal.example-clinic.org/dav/calendars/dr/work/", "cal.example-clinic.org"],
    ["caldav", "https://nextcloud.example.com/remote.php/dav/calendars/dr/personal/", "nextcloud.example.com"],
    ["caldav", "http://127.0.0.1:5232/dr@mail.test/work/", "127.0.0.1"],
    // Look-alikes are not Apple's.
    ["caldav", "https://icloud.com.evil.example/cal/", "icloud.com.evil.example"],
    ["caldav", "https://noticloud.com/cal/", "noticloud.com"],
    // Unknown (no write calendar yet, unparsable): a neutral name, never "iCloud".
    ["caldav", null, "your CalDAV server"],
    ["caldav", "not a url", "your CalDAV server"],
  ])("%s %s → %s", (provider, cal, expected) => {
    expect(labelOf({ provider, write_calendar_id: cal })).toBe(expected);
  });
});
