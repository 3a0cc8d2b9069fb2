// New appointment. Opens pre-filled from the clicked slot (doctor, time). Offers only the
// free slots the availability API returns, so blocked or booked times cannot be picked;
// if the clicked time is not free the dialog says so. Server validation errors show at the field.
import { createEffect, createMemo, createResource, createSignal, For, on, Show } from "solid-js";
import { ApiFailure, api } from "../api-client/client";
import type { Appointment, Patient } from "../api-client/types";
import { blocked, upsertAppointment } from "../stores/appointments";
import { clinicTz, doctors, user } from "../stores/session";
import { formatTime, todayIn, toWall, ymd } from "../lib/tz";
import { mayBookFor } from "../calendar/drag-check";
import { createFreeSlots, FreeSlotSelect, startsFitting } from "./FreeSlots";
import { minutesOf, typesFor } from "./appointment-types";
import { nextFree } from "./next-free";
import { Dialog } from "../ui/Dialog";
import { Suggestions } from "../suggestions/Suggestions";
import { FieldError } from "../ui/FieldError";

export const APPOINTMENT_TYPES = ["consultation", "follow-up", "check-up", "procedure", "vaccination"];
const ANY = "";

export interface BookingInit {
  doctorId?: string;
  /** Clicked instant (ISO) when a time slot was clicked. */
  start?: string;
  /** Clinic date YYYY-MM-DD. */
  date: string;
  /** Why the clicked time is not bookable, when the calendar knows (break, day off, outside hours). */
  reason?: string;
}

export function BookingDialog(props: { init: BookingInit; onClose: () => void; onBooked: (a: Appointment) => void }) {
  const tz = clinicTz;
  // Only doctors this user may book for (a doctor: their own calendar).
  const bookable = () => doctors().filter((d) => mayBookFor(user(), d.id));
  const [doctorId, setDoctorId] = createSignal(props.init.doctorId && mayBookFor(user(), props.init.doctorId) ? props.init.doctorId : (bookable()[0]?.id ?? ""));
  const [date, setDate] = createSignal(props.init.date);
  const [slotStart, setSlotStart] = createSignal<string>("");
  const [query, setQuery] = createSignal("");
  const [patient, setPatient] = createSignal<Patient | null>(null);
  const [newPatient, setNewPatient] = createSignal(false);
  const [np, setNp] = createSignal({ name: "", phone: "", email: "" });
  const types = createMemo(() => typesFor(doctors().find((d) => d.id === doctorId())));
  const [type, setType] = createSignal(types()[0]?.name ?? APPOINTMENT_TYPES[0]);
  createEffect(on(types, (ts) => ts.some((t) => t.name === type()) || setType(ts[0].name), { defer: true }));
  // The visit's length follows its type (consultation 30 min, follow-up 15, …).
  const minutes = () => minutesOf(types(), type(), doctors().find((d) => d.id === doctorId())?.slotMinutes ?? 30);
  const [reason, setReason] = createSignal("");
  const [notes, setNotes] = createSignal("");
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [formError, setFormError] = createSignal("");
  const [saving, setSaving] = createSignal(false);

  const [free, { refetch: refetchSlots }] = createFreeSlots(() => (doctorId() && date() ? { doctorId: doctorId(), day: date() } : false), tz);
  /** Start times where the whole visit (its type's length) fits in free time. */
  const avail = createMemo(() => {
    const slots = free();
    return slots ? startsFitting(slots, minutes() * 60_000) : undefined;
  });

  // The clicked time, if it is not a free slot: explain why (blocked label, or booked).
  const clickedRefusal = createMemo(() => {
    const start = props.init.start;
    const slots = avail();
    if (!start || !slots || doctorId() !== props.init.doctorId || date() !== props.init.date) return "";
    if (slots.some((s) => Date.parse(s.start) === Date.parse(start))) return "";
    const t = Date.parse(start);
    const b = Object.values(blocked).find((x) => x.doctorId === doctorId() && Date.parse(x.start) <= t && Date.parse(x.end) > t);
    if (b) return `${formatTime(start, tz())} is blocked (${b.label || "busy"}) and cannot be booked. Pick a free time below.`;
    if (props.init.reason) return `${formatTime(start, tz())} cannot be booked: ${props.init.reason}. Pick a free time below.`;
    return `${formatTime(start, tz())} is not free for this doctor. Pick a free time below.`;
  });

  // A time picked clears the stale "Pick a free time." error.
  createEffect(
    on(slotStart, (v) => {
      if (v && errors().start) setErrors(({ start: _, ...rest }) => rest);
    }),
  );

  /** Shows a found time in the dialog (doctor, date, time), for "Next free" and a picked suggestion. */
  function goTo(doctor: string, start: string) {
    wanted = start;
    setDoctorId(doctor);
    setDate(toWall(start, tz()).slice(0, 10));
    if (avail()?.some((s) => s.start === wanted)) setSlotStart(wanted);
  }

  // "Next free": the earliest time the visit fits, for the chosen doctor or for any doctor.
  const [finding, setFinding] = createSignal(false);
  const [nextMsg, setNextMsg] = createSignal("");
  let wanted = "";
  async function findNext(anyDoctor: boolean) {
    setFinding(true);
    setNextMsg("");
    try {
      const ids = anyDoctor ? bookable().map((d) => d.id) : [doctorId()];
      const hit = await nextFree(ids, ymd(todayIn(tz())), Date.now(), minutes(), tz());
      if (!hit) return setNextMsg("No free time in the next 8 weeks.");
      goTo(hit.doctorId, hit.slot.start);
    } catch (e) {
      setNextMsg(e instanceof ApiFailure && e.code === "network" ? "The server cannot be reached, so the next free time cannot be found." : "The next free time could not be found.");
    } finally {
      setFinding(false);
    }
  }

  createEffect(
    on(avail, (slots) => {
      if (!slots) return;
      // A list recomputed while the wanted day's list is still loading (the doctor's types, and so
      // the visit length, change with the doctor) is stale: keep the wanted time for the new list.
      if (wanted && free.loading && !slots.some((s) => s.start === wanted)) return;
      const want =
        (wanted && slots.find((s) => s.start === wanted)) || (props.init.start && slots.find((s) => Date.parse(s.start) === Date.parse(props.init.start!)));
      wanted = "";
      setSlotStart(want ? want.start : (slots.find((s) => s.start === slotStart())?.start ?? ""));
    }),
  );

  const [patients] = createResource(
    () => (newPatient() ? false : query().trim()),
    async (q) => {
      if (q.length < 2) return [] as Patient[];
      await new Promise((r) => setTimeout(r, 150)); // debounce: only the last keystroke's fetch is used
      if (q !== query().trim()) return [] as Patient[];
      return (await api.patients(q)).patients;
    },
  );

  async function submit(e: Event) {
    e.preventDefault();
    setErrors({});
    setFormError("");
    const slot = avail()?.find((s) => s.start === slotStart());
    const errs: Record<string, string> = {};
    if (!slot) errs.start = "Pick a free time.";
    if (!newPatient() && !patient()) errs.patientId = "Pick a patient or add a new one.";
    if (newPatient() && !np().name.trim()) errs["patient.name"] = "Name is required.";
    if (Object.keys(errs).length) return setErrors(errs);
    setSaving(true);
    try {
      let p = patient();
      if (newPatient()) {
        try {
          const body = { name: np().name.trim(), ...(np().phone ? { phone: np().phone } : {}), ...(np().email ? { email: np().email } : {}) };
          p = (await api.createPatient(body)).patient;
          setPatient(p);
          setNewPatient(false);
        } catch (err) {
          if (err instanceof ApiFailure && err.code === "validation_failed") {
            const fe = err.fieldErrors();
            return setErrors(Object.fromEntries(Object.entries(fe).map(([k, v]) => [`patient.${k}`, v])));
          }
          throw err;
        }
      }
      const { appointment } = await api.createAppointment({
        doctorId: doctorId(),
        patientId: p!.id,
        start: slot!.start,
        end: slot!.end,
        type: type(),
        reason: reason(),
        notes: notes(),
      });
      upsertAppointment(appointment, true);
      props.onBooked(appointment);
    } catch (err) {
      if (err instanceof ApiFailure) {
        if (err.code === "validation_failed") setErrors(err.fieldErrors());
        else if (err.code === "slot_taken" || err.code === "blocked_time") {
          setErrors({ start: err.code === "slot_taken" ? "Someone just booked this time. Pick another." : "This time is blocked. Pick another." });
          void refetchSlots();
        } else setFormError(err.message);
      } else setFormError("Could not book the appointment.");
    } finally {
      setSaving(false);
    }
  }

  const fieldError = (k: string) => (
    <FieldError message={errors()[k]} id={`err-${k.replace(".", "-")}`} />
  );
  const describedBy = (k: string) => (errors()[k] ? `err-${k.replace(".", "-")}` : undefined);

  return (
    <Dialog title="New appointment" onClose={props.onClose} testId="booking-dialog">
      <form class="form" onSubmit={submit} novalidate>
        <div class="row2">
          <label>
            Doctor
            <select value={doctorId()} onChange={(e) => setDoctorId(e.currentTarget.value)} aria-invalid={!!errors().doctorId} data-autofocus>
              <For each={bookable()}>{(d) => <option value={d.id}>{d.name}</option>}</For>
            </select>
            {fieldError("doctorId")}
          </label>
          <label>
            Date
            <input type="date" value={date()} onInput={(e) => e.currentTarget.value && setDate(e.currentTarget.value)} />
          </label>
        </div>
        <Suggestions patientId={() => patient()?.id} type={type} minutes={minutes} doctorId={doctorId} doctors={bookable} tz={tz} onPick={goTo} />
        <Show when={clickedRefusal()}>
          <p class="notice notice-warn" role="alert" data-testid="slot-refused">
            {clickedRefusal()}
          </p>
        </Show>
        <div class="row2">
          <label>
            Type
            <select value={type()} onChange={(e) => setType(e.currentTarget.value)} aria-describedby={describedBy("type")} data-testid="type-select">
              <For each={types()}>{(t) => <option value={t.name}>{t.name} ({t.minutes} min)</option>}</For>
            </select>
            {fieldError("type")}
          </label>
        {/* Not a wrapping <label>: the list's Retry button must not sit inside a label (a click
            there went to the label, not the button). */}
        <div class="field-col">
          <label for="booking-time">Time</label>
          <FreeSlotSelect
            id="booking-time"
            slots={avail()}
            loading={free.loading}
            error={free.error}
            onRetry={() => void refetchSlots()}
            value={slotStart()}
            onChange={setSlotStart}
            tz={tz()}
            invalid={!!errors().start}
            describedBy={describedBy("start")}
          />
          {fieldError("start")}
        </div>
        </div>
        <div class="next-free">
          <button type="button" class="btn" disabled={finding()} onClick={() => void findNext(false)} data-testid="next-free">
            Next free
          </button>
          <Show when={bookable().length > 1}>
            <button type="button" class="btn" disabled={finding()} onClick={() => void findNext(true)} data-testid="next-free-any">
              Next free, any doctor
            </button>
          </Show>
          <Show when={finding()}>
            <span class="muted" role="status">Looking…</span>
          </Show>
          <FieldError message={nextMsg()} as="span" />
        </div>

        <fieldset class="patient">
          <legend>Patient</legend>
          <Show
            when={!newPatient()}
            fallback={
              <div class="new-patient">
                <label>
                  Name
                  <input value={np().name} onInput={(e) => setNp({ ...np(), name: e.currentTarget.value })} aria-invalid={!!errors()["patient.name"]} aria-describedby={describedBy("patient.name")} />
                  {fieldError("patient.name")}
                </label>
                <div class="row2">
                  <label>
                    Phone
                    <input type="tel" value={np().phone} onInput={(e) => setNp({ ...np(), phone: e.currentTarget.value })} aria-describedby={describedBy("patient.phone")} />
                    {fieldError("patient.phone")}
                  </label>
                  <label>
                    E-mail
                    <input type="email" value={np().email} onInput={(e) => setNp({ ...np(), email: e.currentTarget.value })} aria-describedby={describedBy("patient.email")} />
                    {fieldError("patient.email")}
                  </label>
                </div>
                <button type="button" class="link-btn" onClick={() => setNewPatient(false)}>
                  Search existing patients instead
                </button>
              </div>
            }
          >
            <Show
              when={!patient()}
              fallback={
                <p class="picked">
                  <strong data-testid="picked-patient">{patient()!.name}</strong> {patient()!.phone}{" "}
                  <button type="button" class="link-btn" onClick={() => setPatient(null)}>
                    Change
                  </button>
                </p>
              }
            >
              <label>
                Search by name or phone
                <input
                  type="search"
                  value={query()}
                  onInput={(e) => setQuery(e.currentTarget.value)}
                  placeholder="At least 2 letters"
                  aria-invalid={!!errors().patientId}
                  aria-describedby={describedBy("patientId")}
                  data-testid="patient-search"
                />
              </label>
              <ul class="patient-results" aria-label="Matching patients">
                <For each={patients() ?? []}>
                  {(p) => (
                    <li>
                      <button type="button" onClick={() => setPatient(p)}>
                        {p.name} <span class="muted">{p.phone || p.email}</span>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
              <Show when={query().trim().length >= 2 && !patients.loading && patients()?.length === 0}>
                <p class="muted">No patient matches “{query()}”.</p>
              </Show>
              {fieldError("patientId")}
              <button
                type="button"
                class="link-btn"
                onClick={() => {
                  setNewPatient(true);
                  setNp({ ...np(), name: query() });
                }}
              >
                + New patient
              </button>
            </Show>
          </Show>
        </fieldset>

        <div class="row2">
          <label>
            Reason
            <input value={reason()} onInput={(e) => setReason(e.currentTarget.value)} aria-describedby={describedBy("reason")} />
            {fieldError("reason")}
          </label>
        </div>
        <label>
          Notes
          <textarea rows="2" value={notes()} onInput={(e) => setNotes(e.currentTarget.value)} aria-describedby={describedBy("notes")} />
          {fieldError("notes")}
        </label>
        <FieldError message={formError()} />
        <div class="actions">
          <button type="button" class="btn" onClick={() => props.onClose()}>
            Close
          </button>
          <button type="submit" class="btn btn-primary" disabled={saving()}>
            {saving() ? "Booking…" : "Book appointment"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
