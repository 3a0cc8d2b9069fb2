// The bench's bare baseline: what one indexed D1 query costs with nothing around it
// (no session, no validation, no mapping). bench/run.mjs compares the API to it.
//   GET  /week?doctorId&from&to   a doctor's range on (doctor_id, start_ms)
//   GET  /day?clinicId&from&to    the clinic's range on (clinic_id, start_ms)
//   POST /book                    one INSERT
//   GET  /feed?doctorId           one indexed row read, sent as the body (a feed's floor)
//   GET  /rows?clinicId&from&to[&doctorId]  runs the API's own list statement and
//        reports D1 meta.rows_read next to the rows returned
import { Hono } from "hono";
import { appointmentRangeStatement } from "../worker/appointments/queries";

type Env = { Bindings: { DB: D1Database } };
const n = (s: string | undefined) => Number(s);

export default new Hono<Env>()
  .get("/", (c) => c.text("ok"))
  .get("/week", async (c) => {
    const q = c.req.query();
    const { results } = await c.env.DB.prepare(
      "SELECT * FROM appointments WHERE doctor_id = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms",
    )
      .bind(q.doctorId, n(q.from), n(q.to))
      .all();
    return c.json({ appointments: results });
  })
  .get("/day", async (c) => {
    const q = c.req.query();
    const { results } = await c.env.DB.prepare(
      "SELECT * FROM appointments WHERE clinic_id = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms",
    )
      .bind(q.clinicId, n(q.from), n(q.to))
      .all();
    return c.json({ appointments: results });
  })
  .get("/feed", async (c) => {
    const r = await c.env.DB.prepare("SELECT gzip_base64 FROM feed_bodies WHERE doctor_id = ?").bind(c.req.query("doctorId")).first<{ gzip_base64: string }>();
    if (!r) return c.json({ error: "no feed" }, 404);
    return new Response(Uint8Array.from(atob(r.gzip_base64), (ch) => ch.charCodeAt(0)), { headers: { "content-encoding": "gzip", "content-type": "text/calendar" }, encodeBody: "manual" });
  })
  .post("/book", async (c) => {
    const b = await c.req.json<{ id: string; clinicId: string; doctorId: string; patientId: string; startMs: number; endMs: number }>();
    const insert = c.env.DB.prepare(
      "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, start_ms, end_ms, created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, 'bench', 'bench')",
    ).bind(b.id, b.clinicId, b.doctorId, b.patientId, b.startMs, b.endMs);
    // This Worker and the app's run in two workerd processes on ONE local SQLite file (the same
    // seeded data), so a write here can meet the app's hub writing at that moment and be told
    // the database is locked — a local artefact: on Cloudflare each D1 has one writer. Retry
    // that, and only that (a run of the bench once died of it: "POST /book → 500").
    for (let attempt = 0; ; attempt++) {
      try {
        await insert.run();
        break;
      } catch (err) {
        if (attempt >= 20 || !/SQLITE_BUSY|database is locked/i.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 2 + attempt * 2));
      }
    }
    return c.json({ ok: true }, 201);
  })
  .get("/rows", async (c) => {
    const q = c.req.query();
    const r = await appointmentRangeStatement(c.env.DB, {
      clinicId: q.clinicId,
      doctorId: q.doctorId || undefined,
      fromMs: n(q.from),
      toMs: n(q.to),
    }).all();
    return c.json({ returned: r.results.length, rowsRead: r.meta.rows_read ?? null, meta: r.meta });
  });
