// Issue 17: writing our time back after a refused move made on the server must not lower
// SEQUENCE (the server had 2, we wrote 1: other clients then ignore our write). We write
// max(ours, theirs + 1). Against a real Radicale.
import { describe, expect, it } from "vitest";
import { json } from "../../helpers";
import { at, book, connectDoctor, listRaw, poll, putRaw, settle } from "./harness";
import { dayPlus, icsDay } from "../../days";

const cal = (url: string) => new URL(url).pathname.split("/").filter(Boolean).at(-1)!;
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
const unfold = (t: string) => t.replace(/\r\n[ \t]/g, "");
const sequenceOn = async (c: Awaited<ReturnType<typeof connectDoctor>>) => {
  const [r] = await listRaw(c.dav, cal(c.writeCal));
  const text = unfold(await (await c.dav.req("GET", r.href)).text());
  return { r, text, sequence: Number(/^SEQUENCE:(\d+)/m.exec(text.slice(text.indexOf("BEGIN:VEVENT")))![1]) };
};

describe("CalDAV SEQUENCE never goes down (Radicale)", () => {
  it("a move to a Saturday is refused and set back with SEQUENCE above the server's", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    const before = await sequenceOn(c);
    expect(before.sequence).toBe(0);
    // The iPhone moves it to Saturday and, as clients do for a time change, raises SEQUENCE to 2.
    const i = before.text.indexOf("BEGIN:VEVENT");
    const moved = before.text.slice(0, i) + before.text.slice(i)
      .replace(/^DTSTART[^\r\n]*$/m, `DTSTART:${stamp(Date.parse(at("10:00", dayPlus(5))))}`)
      .replace(/^DTEND[^\r\n]*$/m, `DTEND:${stamp(Date.parse(at("10:30", dayPlus(5))))}`)
      .replace(/^SEQUENCE:\d+/m, "SEQUENCE:2")
      .replace(/^LAST-MODIFIED[^\r\n]*$/m, `LAST-MODIFIED:${stamp(Date.now() + 2000)}`);
    await putRaw(c.dav, cal(c.writeCal), before.r.href.split("/").at(-1)!, moved, before.r.etag);
    await poll(c);
    expect((await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment.start).toBe(at("09:00"));
    const after = await sequenceOn(c);
    expect(after.text).toContain(`DTSTART;TZID=Europe/London:${icsDay(0)}T090000`);
    expect(after.sequence).toBeGreaterThanOrEqual(3);
  });
});
