// A doctor's hub keeps its feed's rendered VEVENT texts in its own SQLite storage (issue #18), so
// a hub evicted since the last change re-renders only what changed; the bytes stay exactly those
// of renderCalendar.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sqlVeventStore } from "../../../worker/ics/feed-refresh";
import { clearRenderMemo, renderCalendarMemo, type VeventStore } from "../../../worker/ics/memo-render";
import { renderCalendar, type IcsAppointment, type IcsClinic } from "../../../worker/ics/render";

const clinic: IcsClinic = { id: "c".repeat(32), name: "Klinik Süd", timeZone: "Europe/Berlin", address: "Hauptstraße 1", domain: "acms.example", reminderMinutes: [60] };
const appts: IcsAppointment[] = Array.from({ length: 40 }, (_, i) => ({
  id: i.toString(16).padStart(32, "0"),
  doctorId: "d".repeat(32),
  doctorName: "Dr. Müller",
  patientName: `Zoë Patient ${i}`,
  startMs: Date.parse("2027-03-01T08:00:00Z") + i * 3600_000,
  endMs: Date.parse("2027-03-01T08:30:00Z") + i * 3600_000,
  type: "consultation",
  status: i % 7 ? "scheduled" : "cancelled",
  version: 1,
  createdAt: 0,
  updatedAt: 0,
}));
const options = (a: IcsAppointment[]) => ({ clinic, appointments: a, privacy: "minimal" as const, appUrl: "https://acms.example", calendarName: "Dr. Müller - Klinik Süd", ttlSeconds: 900, compact: true });

/** A store that records what it was asked and given. */
function recording(inner: VeventStore) {
  const log = { asked: 0, rendered: 0 };
  const store: VeventStore = {
    getMany: (c, keys) => ((log.asked += keys.length), inner.getMany(c, keys)),
    putMany: (c, rendered, keep) => ((log.rendered += rendered.length), inner.putMany(c, rendered, keep)),
  };
  return { store, log };
}

describe("feed VEVENT store in the hub's SQLite", () => {
  it("a cold isolate renders nothing that the store has; one changed event is rendered alone; bytes equal renderCalendar", async () => {
    const stub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(`vevent-store-${Date.now()}`));
    await runInDurableObject(stub, async (_hub, state) => {
      const { store, log } = recording(sqlVeventStore(state.storage.sql));
      clearRenderMemo();
      expect(renderCalendarMemo(options(appts), store)).toBe(renderCalendar(options(appts)));
      expect(log.rendered).toBe(40);

      clearRenderMemo(); // the hub was evicted: its isolate memo is gone, its storage is not
      const changed = appts.map((a, i) => (i === 3 ? { ...a, startMs: a.startMs + 900_000, endMs: a.endMs + 900_000, version: 2 } : a));
      log.rendered = 0;
      expect(renderCalendarMemo(options(changed), store)).toBe(renderCalendar(options(changed)));
      expect(log.rendered).toBe(1);

      // Another configuration (the clinic moved): nothing of the old one is used.
      clearRenderMemo();
      log.rendered = 0;
      const moved = { ...options(changed), clinic: { ...clinic, address: "Neue Straße 9" } };
      expect(renderCalendarMemo(moved, store)).toBe(renderCalendar(moved));
      expect(log.rendered).toBe(40);
      expect(state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM feed_vevents").one().n).toBe(40);
    });
  });

  it("stays bounded: old versions of changed events are dropped once they pile up", async () => {
    const stub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(`vevent-bound-${Date.now()}`));
    await runInDurableObject(stub, async (_hub, state) => {
      const store = sqlVeventStore(state.storage.sql);
      let current = appts;
      for (let round = 0; round < 12; round++) {
        clearRenderMemo();
        current = current.map((a) => ({ ...a, version: a.version + 1 }));
        renderCalendarMemo(options(current), store);
      }
      const n = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM feed_vevents").one().n;
      expect(n).toBeLessThanOrEqual(2 * appts.length + 100);
    });
  });
});
