// Reading a clinic's labelled history for training: every completed / no-show appointment of the
// range exactly once, in start order, across pages — also when several share a start at a page
// boundary — with reminders, confirmations and video read from their own tables.
import { describe, expect, it } from "vitest";
import { env, makeClinic } from "../../helpers";
import { newId } from "../../../worker/ids";
import { labelledHistory } from "../../../worker/suggestions/history";

describe("labelledHistory", () => {
  it("pages through ties without losing or repeating a row, and only labelled rows of the range", async () => {
    const f = await makeClinic({ patients: 2 });
    const base = Date.UTC(2026, 0, 5, 9);
    // Starts: 5 at base, 1 at +1h, 4 at +2h, 1 at +3h; plus a cancelled, a scheduled and one outside the range.
    const starts = [0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 3].map((h) => base + h * 3_600_000);
    const rows = starts.map((s, i) => ({ id: newId(), s, status: i % 3 === 0 ? "no_show" : "completed" }));
    const extra = [
      { id: newId(), s: base, status: "cancelled" },
      { id: newId(), s: base + 3_600_000, status: "scheduled" },
      { id: newId(), s: base + 10 * 86_400_000, status: "completed" },
    ];
    await env.DB.batch(
      [...rows, ...extra].map((r, i) =>
        env.DB.prepare(
          "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, status, created_by, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, 't', 't', ?, ?)",
        ).bind(r.id, f.clinic.id, f.doctors[0].doctor.id, f.patients[i % 2].id, r.s, r.s + 1_800_000, i === 1 ? "video" : "consultation", r.status, r.s - 86_400_000, r.s),
      ),
    );
    await env.DB.batch([
      env.DB.prepare("INSERT INTO reminders (id, clinic_id, appointment_id, doctor_id, channel, offset_minutes, start_ms, due_at, state, created_at) VALUES (?, ?, ?, ?, 'sms', 120, ?, ?, 'delivered', 0)").bind(newId(), f.clinic.id, rows[2].id, f.doctors[0].doctor.id, rows[2].s, rows[2].s),
      env.DB.prepare("INSERT INTO reminders (id, clinic_id, appointment_id, doctor_id, channel, offset_minutes, start_ms, due_at, state, created_at) VALUES (?, ?, ?, ?, 'sms', 120, ?, ?, 'failed', 0)").bind(newId(), f.clinic.id, rows[3].id, f.doctors[0].doctor.id, rows[3].s, rows[3].s),
      env.DB.prepare("INSERT INTO patient_responses (clinic_id, appointment_id, action, via, at) VALUES (?, ?, 'confirm', 'link', 0)").bind(f.clinic.id, rows[4].id),
    ]);
    for (const page of [1, 2, 3, 4, 5000]) {
      const got = await labelledHistory(env.DB, f.clinic.id, base, base + 86_400_000, '["video"]', page);
      expect(got.map((v) => v.startMs), `page ${page}`).toEqual(starts);
      expect(got.filter((v) => v.noShow).length).toBe(rows.filter((r) => r.status === "no_show").length);
    }
    const all = await labelledHistory(env.DB, f.clinic.id, base, base + 86_400_000, '["video"]');
    const byStartAndFacts = all.map((v) => [v.reminded, v.confirmed, v.video]);
    expect(byStartAndFacts.filter(([r]) => r).length).toBe(1); // delivered counts, failed does not
    expect(byStartAndFacts.filter(([, c]) => c).length).toBe(1);
    expect(byStartAndFacts.filter(([, , v]) => v).length).toBe(1); // the clinic's video type
  });
});
