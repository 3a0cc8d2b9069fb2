// POST /api/doctors/:id/import/ics — upload an .ics file for a doctor.
//   Body: text/calendar (raw), multipart/form-data with a "file" field, or JSON
//   {"url": "https://… | webcal://…"} to fetch once (10 s timeout); at most
//   IMPORT_MAX_BYTES (1 MiB), IMPORT_MAX_EVENTS (2,000) VEVENTs and as many
//   occurrences in the window.
//   Query: preview=1 (plan only, writes nothing) · mode=blocked (default) | appointments
//          · patientId (mode=appointments) · type (appointments, default "consultation")
//          · labels=busy (default: "Busy (imported)") | summary (keep SUMMARY as the block label)
//          · from, to (ISO instants; default 30 days back to 365 days ahead, at most 2 years)
//          · source (a name for this calendar, for uploads; URL imports use the URL, else X-WR-CALNAME)
//   Answer: { preview, mode, window, source: {kind}, counts: {create, update, remove, skip, byReason},
//             items: [...first 500], refused: [{uid, summary, message}], warnings, created?, updated?, removed?, failed? }
//     refused: events that cannot be imported as they are (invalid dates, unknown TZIDs: ics/import-validate.ts;
//              recurrences that cannot be expanded: ics/recurrence.ts, docs/recurrence.md)
//   Errors: 413 too large · 415 wrong type · 422 invalid_ics / too_many_events with the first problems
//           · 422 events_refused on commit when any event is in `refused` (nothing written).
//   Working hours (mode=appointments): only an admin's import may create or move an appointment outside
//   the doctor's working hours (audited with overrideHours); anyone else's such item is refused in
//   `failed` (outside_working_hours), the rest imported.
//   Re-import: (doctor, UID, RECURRENCE-ID) are remembered with the block/appointment they made and the
//   calendar they came from, so an updated file moves what moved, frees what was cancelled or deleted
//   there, and creates nothing twice (see ics/import-plan.ts).
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { ApiError, forbidden, notFound, validationError } from "../errors";
import { hubFor } from "../hub/doctor-hub";
import { blockLabel, commitAppointments, commitBlocked } from "../ics/import-write";
import { IcsImportError, IMPORT_MAX_BYTES, IMPORT_MAX_EVENTS, IMPORT_MAX_OCCURRENCES, parseIcs } from "../ics/import";
import { decodeIcs } from "../ics/import-decode";
import { importKey, planImport, type KnownImport, type PlannedItem } from "../ics/import-plan";
import { importSourceOf } from "../ics/import-source";
import { csrf, requireSession } from "../middleware/session";
import { safeFetch } from "../net/safe-fetch";
import { parseWorkingHours } from "../scheduling/working-hours";
import { idParam, instant, issuesOf, queryOf } from "../validate";
import { idOf } from "./path-id";

/** Appointments are written one guarded batch each: keep one request within Worker limits. */
export const IMPORT_MAX_APPOINTMENTS = 25;
const MAX_WINDOW_MS = 2 * 366 * 86400_000;
const MAX_APPOINTMENT_MS = 12 * 3600_000;
const LIST_MAX = 500;

const Query = z.strictObject({
  preview: z.enum(["1", "0", "true", "false"]).optional(),
  mode: z.enum(["blocked", "appointments"]).optional(),
  patientId: idParam.optional(),
  type: z.string().trim().min(1).max(50).optional(),
  labels: z.enum(["busy", "summary"]).optional(),
  from: instant.optional(),
  to: instant.optional(),
  source: z.string().trim().min(1).max(200).optional(),
});

const UrlBody = z.strictObject({
  url: z
    .string()
    .trim()
    .max(2000)
    .transform((u) => u.replace(/^webcal:\/\//i, "https://"))
    .pipe(z.url({ protocol: /^https$/, error: "must be an https:// or webcal:// URL" })),
});
const FETCH_TIMEOUT_MS = 10_000;

/** Reads a stream up to `limit` bytes; more → 413 (the rest is never downloaded). */
async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<ArrayBuffer> {
  if (!body) return new ArrayBuffer(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

/** "Give a URL to fetch once": https (or webcal) only, 10 s, same size limit, no cookies or auth sent. */
async function fetchIcs(url: string): Promise<ArrayBuffer> {
  let res: Response;
  try {
    // SSRF guard (worker/net/safe-fetch.ts): public https destinations only, every redirect re-checked.
    res = await safeFetch(url, { headers: { accept: "text/calendar, */*;q=0.5" } }, { timeoutMs: FETCH_TIMEOUT_MS, maxBytes: IMPORT_MAX_BYTES + 1 });
  } catch (err) {
    throw new ApiError(422, "fetch_failed", "The calendar URL could not be fetched.", [{ path: "url", message: err instanceof Error ? err.message : String(err) }]);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new ApiError(422, "fetch_failed", `The calendar URL answered ${res.status}.`, [{ path: "url", message: `HTTP ${res.status}` }]);
  }
  const ct = (res.headers.get("content-type") ?? "").toLowerCase();
  if (ct && !/^(text\/calendar|text\/plain|application\/octet-stream|application\/ics)/.test(ct)) {
    await res.body?.cancel();
    throw new ApiError(415, "unsupported_media_type", `The URL returned ${ct}, not an .ics calendar.`);
  }
  if (Number(res.headers.get("content-length") ?? "0") > IMPORT_MAX_BYTES) {
    await res.body?.cancel();
    throw tooLarge();
  }
  return readCapped(res.body, IMPORT_MAX_BYTES);
}

async function readIcsBody(req: Request): Promise<{ text: string; url: string | null }> {
  const len = Number(req.headers.get("content-length") ?? "0");
  if (len > IMPORT_MAX_BYTES + 64 * 1024) throw tooLarge();
  const ct = (req.headers.get("content-type") ?? "").toLowerCase();
  let bytes: ArrayBuffer;
  let url: string | null = null;
  if (ct.startsWith("application/json")) {
    let raw: unknown;
    try {
      raw = await req.json();
    } catch {
      throw new ApiError(400, "bad_request", "The request body is not valid JSON.");
    }
    const r = UrlBody.safeParse(raw);
    if (!r.success) throw validationError("The request has invalid fields.", issuesOf(r.error));
    url = r.data.url;
    bytes = await fetchIcs(r.data.url);
  } else if (ct.startsWith("text/calendar")) {
    bytes = await req.arrayBuffer();
  } else if (ct.startsWith("multipart/form-data")) {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new ApiError(400, "bad_request", "The multipart body could not be read.");
    }
    const file = form.get("file");
    if (!file || typeof file === "string") throw validationError("Send the calendar as the \"file\" field.", [{ path: "file", message: "is required" }]);
    const okType = !file.type || /^(text\/calendar|application\/octet-stream|application\/ics)/i.test(file.type) || /\.ics$/i.test(file.name);
    if (!okType) throw new ApiError(415, "unsupported_media_type", `The file is ${file.type}; an .ics (text/calendar) file is expected.`);
    bytes = await file.arrayBuffer();
  } else {
    throw new ApiError(415, "unsupported_media_type", "Send the .ics as text/calendar, as multipart/form-data with a \"file\" field, or {\"url\"} as JSON.");
  }
  if (bytes.byteLength > IMPORT_MAX_BYTES) throw tooLarge();
  try {
    // Folds are removed on octets before decoding (a fold may split a UTF-8 sequence).
    return { text: decodeIcs(bytes), url };
  } catch {
    throw new ApiError(422, "invalid_ics", "The file is not valid iCalendar.", [{ path: "file", message: "is not UTF-8 text" }]);
  }
}

const tooLarge = () => new ApiError(413, "payload_too_large", `The file is over ${IMPORT_MAX_BYTES / 1024 / 1024} MiB.`);

const dto = (i: PlannedItem) => ({
  uid: i.uid,
  recurrenceId: i.recurrenceId || null,
  summary: i.summary,
  start: new Date(i.startMs).toISOString(),
  end: new Date(i.endMs).toISOString(),
  allDay: i.allDay,
  action: i.action,
  ...(i.reason ? { reason: i.reason } : {}),
  ...(i.overlaps ? { overlaps: i.overlaps } : {}),
  ...(i.action === "update" && i.previous ? { previous: { start: new Date(i.previous.startMs).toISOString(), end: new Date(i.previous.endMs).toISOString() } } : {}),
});

interface KnownRow {
  uid: string;
  recurrence_id: string;
  entity_type: "blocked_time" | "appointment";
  entity_id: string;
  source: string;
  last_start: number | null;
  last_end: number | null;
  b_start: number | null;
  b_end: number | null;
  b_all_day: number | null;
  b_label: string | null;
  a_start: number | null;
  a_end: number | null;
  a_status: string | null;
  a_version: number | null;
}

/** imported_events rows of a doctor with the block or appointment each made, as it is now. */
const KNOWN_SQL =
  "SELECT ie.uid, ie.recurrence_id, ie.entity_type, ie.entity_id, ie.source, ie.start_ms AS last_start, ie.end_ms AS last_end, " +
  "b.start_ms AS b_start, b.end_ms AS b_end, b.all_day AS b_all_day, b.label AS b_label, " +
  "a.start_ms AS a_start, a.end_ms AS a_end, a.status AS a_status, a.version AS a_version " +
  "FROM imported_events ie " +
  "LEFT JOIN blocked_times b ON ie.entity_type = 'blocked_time' AND b.id = ie.entity_id AND b.doctor_id = ie.doctor_id " +
  "LEFT JOIN appointments a ON ie.entity_type = 'appointment' AND a.id = ie.entity_id AND a.doctor_id = ie.doctor_id " +
  "WHERE ie.doctor_id = ?";

function knownOf(rows: KnownRow[]): Map<string, KnownImport> {
  const out = new Map<string, KnownImport>();
  for (const r of rows) {
    const current =
      r.entity_type === "blocked_time"
        ? r.b_start == null
          ? null
          : { startMs: r.b_start, endMs: r.b_end!, allDay: !!r.b_all_day, label: r.b_label ?? "", active: true, version: 0 }
        : r.a_start == null
          ? null
          : { startMs: r.a_start, endMs: r.a_end!, allDay: false, label: "", active: r.a_status !== "cancelled", version: r.a_version ?? 0 };
    const last = r.last_start == null || r.last_end == null ? null : { startMs: r.last_start, endMs: r.last_end };
    out.set(importKey(r.uid, r.recurrence_id), { uid: r.uid, recurrenceId: r.recurrence_id, entityType: r.entity_type, entityId: r.entity_id, source: r.source, last, current });
  }
  return out;
}

export const importRoutes = new Hono<AppEnv>().use("/:id/import/ics", requireSession, csrf).post("/:id/import/ics", async (c) => {
  const doctorId = idOf(c.req.param("id"), "Doctor");
  const q = queryOf(c, Query);
  const u = c.var.user;
  const mode = q.mode ?? "blocked";
  const preview = q.preview === "1" || q.preview === "true";
  if (u.role === "doctor" && u.doctorId !== doctorId) throw forbidden("Doctors can only import into their own calendar.");
  if (mode === "appointments" && !q.patientId) throw validationError("The query has invalid parameters.", [{ path: "patientId", message: "is required for mode=appointments" }]);

  const d1 = c.env.DB;
  const [doc, patient] = await Promise.all([
    d1
      .prepare("SELECT d.id, d.working_hours, c.time_zone FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.id = ? AND d.clinic_id = ?")
      .bind(doctorId, u.clinicId)
      .first<{ id: string; working_hours: string; time_zone: string }>(),
    q.patientId ? d1.prepare("SELECT id FROM patients WHERE id = ? AND clinic_id = ?").bind(q.patientId, u.clinicId).first<{ id: string }>() : null,
  ]);
  if (!doc) throw notFound("Doctor");
  if (mode === "appointments" && !patient) throw notFound("Patient");

  const day = 86400_000;
  const today = Math.floor(Date.now() / day) * day;
  const fromMs = q.from ?? today - 30 * day;
  const toMs = q.to ?? today + 366 * day;
  if (toMs <= fromMs || toMs - fromMs > MAX_WINDOW_MS)
    throw validationError("The query has invalid parameters.", [{ path: "to", message: "must be after from and at most 2 years later" }]);

  const { text, url } = await readIcsBody(c.req.raw);
  let parsed;
  try {
    parsed = parseIcs(text, { clinicZone: doc.time_zone, fromMs, toMs });
  } catch (err) {
    if (err instanceof IcsImportError) throw new ApiError(422, err.code, err.message, err.problems);
    throw err;
  }

  const source = await importSourceOf({ url, name: q.source, text });
  const labels = q.labels ?? "busy";
  const [known, appts, blocks] = await d1.batch([
    d1.prepare(KNOWN_SQL).bind(doctorId),
    d1.prepare("SELECT id, start_ms, end_ms FROM appointments WHERE doctor_id = ? AND status != 'cancelled' AND start_ms < ? AND end_ms > ?").bind(doctorId, toMs, fromMs),
    d1.prepare("SELECT start_ms, end_ms FROM blocked_times WHERE doctor_id = ? AND start_ms < ? AND end_ms > ?").bind(doctorId, toMs, fromMs),
  ]);
  const busy = (r: D1Result) => (r.results as { id?: string; start_ms: number; end_ms: number }[]).map((x) => ({ id: x.id, startMs: x.start_ms, endMs: x.end_ms }));
  const items = planImport(parsed, {
    mode,
    known: knownOf(known.results as unknown as KnownRow[]),
    source: source.hash,
    window: { fromMs, toMs },
    appointments: busy(appts),
    blocks: busy(blocks),
    maxAppointmentMs: MAX_APPOINTMENT_MS,
    // Labels are compared only when they come from the file (labels=summary), so a label staff
    // gave an imported block is not reset by re-importing with the default label.
    labelOf: labels === "summary" ? (summary) => blockLabel(labels, summary) : undefined,
  });
  const count = (a: PlannedItem["action"]) => items.filter((i) => i.action === a).length;
  const counts = { create: count("create"), update: count("update"), remove: count("remove"), skip: count("skip") };
  const writes = counts.create + counts.update + counts.remove;
  const byReason: Record<string, number> = {};
  for (const i of items) if (i.reason) byReason[i.reason] = (byReason[i.reason] ?? 0) + 1;
  if (mode === "appointments" && writes > IMPORT_MAX_APPOINTMENTS)
    throw new ApiError(422, "too_many_events", `At most ${IMPORT_MAX_APPOINTMENTS} appointments per import; narrow the window with from/to.`, [
      { path: "window", message: `${writes} appointments to create, update or cancel` },
    ]);

  const answer = {
    preview,
    mode,
    window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    limits: { maxBytes: IMPORT_MAX_BYTES, maxEvents: IMPORT_MAX_EVENTS, maxOccurrences: IMPORT_MAX_OCCURRENCES },
    source: { kind: source.kind },
    counts: { events: parsed.events, ...counts, byReason },
    items: items.slice(0, LIST_MAX).map(dto),
    warnings: parsed.warnings,
    // Events that cannot be imported as they are (invalid dates, unknown time zones, recurrences that
    // cannot be expanded within the bounds): listed, never dropped.
    refused: parsed.failed,
  };
  if (preview) return c.json(answer);
  // Bad input is refused whole, nothing written: the preview shows which events and why.
  if (parsed.failed.length)
    throw new ApiError(
      422,
      "events_refused",
      `${parsed.failed.length} event(s) cannot be imported as they are; nothing was imported. Fix or remove them and import again.`,
      parsed.failed.slice(0, 20).map((f) => ({ path: `VEVENT UID ${f.uid}`, message: f.message })),
    );

  let result;
  try {
    result =
      mode === "blocked"
        ? await commitBlocked(d1, u, doctorId, items, labels, source.hash)
        : await commitAppointments(d1, u, doctorId, q.patientId!, q.type ?? "consultation", items, source.hash, {
            zone: doc.time_zone,
            workingHours: parseWorkingHours(doc.working_hours),
          });
  } catch (err) {
    if (String(err).includes("UNIQUE constraint failed: imported_events"))
      throw new ApiError(409, "import_conflict", "The same events were imported at the same time; nothing was written by this request. Preview again.");
    throw err;
  }
  if (result.live.length) {
    const hub = hubFor(c.env, doctorId);
    c.executionCtx.waitUntil(
      (async () => {
        for (const ch of result.live) await hub.publish(ch.doctorId, ch);
        await hub.kick(doctorId);
      })().catch((err) => console.error("import live publish failed", err)),
    );
  }
  return c.json(
    { ...answer, created: result.created.length, updated: result.updated.length, removed: result.removed.length, failed: result.failed },
    201,
  );
});
