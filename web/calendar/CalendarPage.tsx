// The screen staff live in: toolbar (views, Today, prev/next, date picker, doctors), the calendar,
// the booking dialog, the details panel / bottom sheet, keyboard shortcuts and phone swipes.
import type { Calendar } from "@event-calendar/core";
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show, untrack } from "solid-js";
import type { Appointment } from "../api-client/types";
import { STATUS_LABEL } from "../api-client/statuses";
import { BookingDialog, type BookingInit } from "../booking/BookingDialog";
import { AppointmentPanel } from "../details/AppointmentPanel";
import { appointmentInPath, navigate } from "../stores/route";
import { addDays, calendarDateToIso, formatDateTime, formatTime, todayIn, toWall, ymd } from "../lib/tz";
import { appointments, blocked, generation, loadRange, loading, patchListeners, type Patch } from "../stores/appointments";
import { liveState } from "../stores/live";
import {
  date,
  doctorFilter,
  ecView,
  isPhone,
  setDate,
  setDoctorFilter,
  setShowWeekends,
  setSideBySide,
  setView,
  setVisible,
  showWeekends,
  sideBySide,
  view,
  visible,
  type ViewKind,
} from "../stores/range";
import { clinicTz, doctors, user } from "../stores/session";
import { Dialog } from "../ui/Dialog";
import { toast } from "../ui/toast";
import { appointmentEvent, BLOCK_PREFIX, blockedEvent, blockedText } from "./events";
import { loadRisks, riskVersion } from "../suggestions/risk-store";
import { dropProblem, mayBookFor, type Problem } from "./drag-check";
import { HoverCard, hoverEnd, hoverStart, suppressHover } from "./HoverCard";
import { PhoneDayList } from "./PhoneDayList";
import { fixCalendarA11y } from "./a11y";
import { dayRange, idleWeekendDays, offHoursEvents, offReason, OFF_PREFIX } from "./working-time";
import { EventCalendar, type EcInstance } from "./EventCalendar";
import { blockContent, formatTimeRange, sameAsShown } from "./block-content";
import { attachSwipe } from "./swipe";
import { dayCellContent, summarize } from "./month-cells";
import { moveAppointment } from "./reschedule";
import { bindCalendarUrl } from "./url-state";
import { DayNotes } from "./DayNotes";
import { CalendarToolbar } from "./CalendarToolbar";
import { clinicNowPainter, clinicTheme } from "./clinic-now";

const SLOT_MINUTES = 15, SLOT_HEIGHT = 20;

export function CalendarPage() {
  let ec: EcInstance | undefined;
  const [booking, setBooking] = createSignal<BookingInit | null>(null);
  const [openId, setOpenId] = createSignal<string | null>(null);
  // "/appointments/:id" (links in notices and in Google events) opens that appointment's details.
  createEffect(() => {
    const id = appointmentInPath();
    if (id) setOpenId(id);
  });
  const closeDetails = () => {
    setOpenId(null);
    if (appointmentInPath()) navigate(`/${location.search}`);
  };
  const [help, setHelp] = createSignal(false);
  const [loadError, setLoadError] = createSignal("");
  const tz = clinicTz;

  const shownDoctors = createMemo(() => {
    const f = doctorFilter();
    return f.length ? doctors().filter((d) => f.includes(d.id)) : doctors();
  });
  const useResources = () => view() !== "month" && !(isPhone() && view() === "week") && sideBySide() && shownDoctors().length > 0;
  const doctorOf = (id: string) => doctors().find((d) => d.id === id);
  // Visible hours follow the doctors' working hours (earliest start … latest end), widened for
  // any loaded appointment outside them so nothing is ever off the grid.
  const grid = createMemo(() => {
    generation();
    const extra = untrack(() =>
      Object.values(appointments)
        .filter((a) => a.status !== "cancelled")
        .map((a) => {
          const s = toWall(a.start, tz());
          const e = toWall(a.end, tz());
          const m = (w: string) => Number(w.slice(11, 13)) * 60 + Number(w.slice(14, 16));
          return { startMin: m(s), endMin: e.slice(0, 10) === s.slice(0, 10) ? m(e) : 24 * 60 };
        }),
    );
    return dayRange(shownDoctors(), extra);
  });
  const hiddenDays = createMemo(() => (showWeekends() || view() === "day" ? [] : idleWeekendDays(shownDoctors())));
  const hasIdleWeekend = createMemo(() => idleWeekendDays(shownDoctors()).length > 0);

  // View, date and doctors come from the address (today in the clinic's zone when it has none),
  // and the address follows them: reload, Back and shared links keep them (url-state.ts).
  bindCalendarUrl(tz);

  function visibleEvents(): Calendar.EventInput[] {
    // Untracked: single changes are patched in by the listener below, not by redrawing all.
    return untrack(() => {
      const ids = new Set(shownDoctors().map((d) => d.id));
      const u = user();
      const out: Calendar.EventInput[] = [];
      if (view() === "month") return out; // month cells are summaries (month-cells.ts)
      for (const a of Object.values(appointments)) if (ids.has(a.doctorId)) out.push(appointmentEvent(a, tz(), u, doctorOf(a.doctorId)));
      if (view() === "week" && isPhone()) return out; // the agenda lists appointments only
      for (const b of Object.values(blocked)) if (ids.has(b.doctorId)) out.push(blockedEvent(b, tz()));
      const r = visible();
      if (r) out.push(...offHoursEvents(shownDoctors(), r.start, r.end, useResources(), grid()));
      return out;
    });
  }

  // riskVersion: risks arrive after the appointments; blocks built before them get their badge then.
  const events = createMemo(on([generation, shownDoctors, view, tz, visible, isPhone, sideBySide, grid, riskVersion], () => visibleEvents()));

  // Month view: per-day summaries, recomputed on reloads and on every single change.
  const [monthTick, setMonthTick] = createSignal(0);
  const monthCells = createMemo(
    on([generation, shownDoctors, view, tz, monthTick, isPhone, () => (isPhone() ? ymd(date()) : ""), riskVersion], () =>
      view() === "month"
        ? untrack(() => dayCellContent(summarize(Object.values(appointments), tz(), new Set(shownDoctors().map((d) => d.id))), tz(), isPhone() ? ymd(date()) : undefined))
        : undefined,
    ),
  );

  const options = createMemo<Calendar.Options>(() => ({
    view: ecView(view(), useResources(), isPhone()),
    date: date(),
    events: events(),
    dayCellContent: monthCells(),
    resources: shownDoctors().map((d) => ({ id: d.id, title: d.name, eventBackgroundColor: undefined })),
    headerToolbar: { start: "", center: "", end: "" },
    height: "100%",
    firstDay: 1,
    allDaySlot: false,
    // The library's now line and today follow the browser's clock: ours follow the clinic's (clinic-now.ts).
    nowIndicator: false,
    theme: clinicTheme,
    slotMinTime: grid().slotMinTime,
    slotMaxTime: grid().slotMaxTime,
    scrollTime: grid().slotMinTime,
    hiddenDays: hiddenDays() as Calendar.dayOfWeek[],
    // Side by side with many doctors: columns keep a readable minimum width and the grid scrolls
    // sideways (the library's own columnWidth; its .ec-main scrolls), instead of 21 slivers.
    columnWidth: useResources() ? "minmax(84px, 1fr)" : undefined,
    listDayFormat: { weekday: "long", day: "numeric", month: "short" },
    noEventsContent: "No appointments this week.",
    listDaySideFormat: () => "",
    slotDuration: `00:${SLOT_MINUTES}`,
    slotLabelInterval: "01:00",
    slotHeight: SLOT_HEIGHT,
    dayMaxEvents: true,
    selectable: false,
    editable: true,
    eventDurationEditable: true,
    eventStartEditable: true,
    eventLongPressDelay: 350,
    // Functions, not Intl options: the calendar re-formats every block's time on every change
    // (a drop re-lays out the whole grid), and Intl formatRange was the largest script cost
    // of a drop in bench/ui.bench.mjs. Same text as en-GB's 24-hour range: "14:00–14:30".
    eventTimeFormat: formatTimeRange,
    eventContent: blockContent,
    slotLabelFormat: (t: Date) => formatTimeRange(t),
    pointer: !isPhone(),
    datesSet: onDatesSet,
    dateClick: onDateClick,
    eventClick: onEventClick,
    eventDrop: (info) => onMoved(info.event, info.revert, info.newResource?.id as string | undefined, "move"),
    eventResize: (info) => onMoved(info.event, info.revert, undefined, "resize"),
    // Before the drop: a taken, blocked or off-hours place shows as not allowed (the server
    // still decides on drop); a doctor cannot drag into a colleague's column at all.
    dragConstraint: (info) => checkDrag(info.event, info.newResource?.id as string | undefined),
    resizeConstraint: (info) => checkDrag(info.event),
    // The hover card would follow the block around: hide it while dragging or resizing.
    eventDragStart: () => suppressHover(true),
    eventResizeStart: () => suppressHover(true),
    eventDragStop: () => (setDragProblem(null), suppressHover(false)),
    eventResizeStop: () => (setDragProblem(null), suppressHover(false)),
    eventMouseEnter: (info) => {
      const props = info.event.extendedProps as { kind?: string };
      if (!isPhone() && props.kind === "appointment") hoverStart(String(info.event.id), info.el);
    },
    eventMouseLeave: () => hoverEnd(),
    eventDidMount: (info) => {
      const ev = info.event;
      const props = ev.extendedProps as { kind?: string; statusLabel?: string; text?: string; label?: string; type?: string; doctorName?: string; color?: string };
      if (props.kind === "appointment") {
        // No title tooltip: the hover card (desktop) shows the details. The accessible name is
        // the block's own text (time, patient, type, hidden status/doctor; see blockContent).
        const time = formatTimeRange(ev.start, ev.end);
        const target = ev.display === "background" ? (info.el.querySelector(".cx-tag") as HTMLElement | null) ?? info.el : info.el;
        if (ev.display === "background") target.setAttribute("aria-label", `${ev.title} (cancelled, ${time})`);
        target.dataset.appointmentId = String(ev.id);
        target.tabIndex = 0;
        target.setAttribute("role", "button");
        // Keyboard users get the same card as the pointer (risk reasons, sync state) on focus.
        if (ev.display !== "background") {
          target.addEventListener("focus", () => !isPhone() && target.matches(":focus-visible") && hoverStart(String(ev.id), target));
          target.addEventListener("blur", () => hoverEnd());
        }
        if (props.color) info.el.style.setProperty("--doc", props.color);
        if (ev.display === "background") {
          // The cancelled marker opens its details without also clicking the free slot below.
          target.addEventListener("pointerdown", (e) => e.stopPropagation());
          target.addEventListener("click", (e) => {
            e.stopPropagation();
            setOpenId(String(ev.id));
          });
        }
      } else if (props.kind === "blocked" || props.kind === "off") {
        info.el.setAttribute("aria-label", props.text ?? props.label ?? "");
        info.el.setAttribute("role", "note");
      }
    },
  }));

  // The calendar reports its range again when nothing moved (week ↔ side-by-side week, a new
  // date inside the shown month, Today on today): that range is already loaded or on its way,
  // and live changes keep it current, so only a new range (or a retry after an error) fetches.
  let requested = "";
  function onDatesSet(info: Calendar.DatesSetInfo) {
    const v = info.view;
    setVisible({ start: v.activeStart, end: v.activeEnd });
    const from = calendarDateToIso(v.activeStart, tz());
    const to = calendarDateToIso(v.activeEnd, tz());
    if (`${from}/${to}` === requested && !loadError()) return;
    requested = `${from}/${to}`;
    setLoadError("");
    loadRange(from, to).catch((e) => setLoadError(e instanceof Error ? e.message : "Could not load the calendar."));
    void loadRisks(from, to);
  }

  function onDateClick(info: Calendar.DateClickInfo) {
    if (view() === "month") {
      // Month: a line opens that appointment; anywhere else in the cell opens the day.
      const line = (info.jsEvent.target as HTMLElement | null)?.closest?.("[data-appointment-id]") as HTMLElement | null;
      if (line) return setOpenId(line.dataset.appointmentId!);
      setDate(info.date);
      // Phone: the compact month selects the day and lists it beneath; desktop opens the day.
      return isPhone() ? undefined : setView("day");
    }
    const doctorId = (info.resource?.id as string | undefined) ?? (shownDoctors().length === 1 ? shownDoctors()[0].id : user()?.doctorId ?? shownDoctors()[0]?.id);
    // A doctor books only into their own column (the server would refuse after the fact).
    if (doctorId && !mayBookFor(user(), doctorId))
      return void toast(`You can only book into your own calendar, not ${doctorOf(doctorId)?.name ?? "a colleague"}'s.`, "error");
    const doctor = doctorId ? doctorOf(doctorId) : undefined;
    const reason = !info.allDay && doctor ? offReason(doctor, `${ymd(info.date)}T${formatTimeRange(info.date)}`) : "";
    setBooking({ doctorId, date: ymd(info.date), start: info.allDay ? undefined : calendarDateToIso(info.date, tz()), reason: reason ? reason.replace(/^Outside/, "outside") : undefined });
  }

  function onEventClick(info: Calendar.EventClickInfo) {
    const id = String(info.event.id);
    if (id.startsWith(BLOCK_PREFIX) || id.startsWith(OFF_PREFIX)) return;
    setOpenId(id);
  }

  // Drag feedback: what is wrong with the place under the pointer (null = fine).
  const [dragProblem, setDragProblem] = createSignal<Problem>(null);
  function checkDrag(ev: Calendar.Event, newDoctorId?: string): boolean {
    const id = String(ev.id);
    const cur = appointments[id];
    if (!cur) return true;
    const p = dropProblem(
      { id, doctorId: newDoctorId ?? cur.doctorId, start: ev.start, end: ev.end, startIso: calendarDateToIso(ev.start, tz()), endIso: calendarDateToIso(ev.end, tz()) },
      { user: user(), doctors: doctors(), appointments: Object.values(appointments), blocked: Object.values(blocked), fmt: (iso) => formatTime(iso, tz()) },
    );
    setDragProblem(p);
    return p?.kind !== "forbidden";
  }

  function onMoved(ev: Calendar.Event, revert: () => void, newDoctorId: string | undefined, how: "move" | "resize") {
    setDragProblem(null);
    const id = String(ev.id);
    const prev = appointments[id] && { start: appointments[id].start, end: appointments[id].end, doctorId: appointments[id].doctorId };
    void moveAppointment(
      id,
      { start: calendarDateToIso(ev.start, tz()), end: calendarDateToIso(ev.end, tz()), doctorId: newDoctorId },
      revert,
      (msg) => toast(msg, "error", 8000),
    ).then((a) => {
      if (!a || !prev) return;
      const where = how === "resize" ? `Now ${formatTime(a.start, tz())}–${formatTime(a.end, tz())}` : `Moved to ${formatTime(a.start, tz())}`;
      const who = a.doctorId !== prev.doctorId ? ` (${doctorOf(a.doctorId)?.name ?? "another doctor"})` : "";
      // Undo puts it back through the API with the version just saved: if someone changed it
      // meanwhile, the server refuses (version_conflict) and the user sees their version.
      toast(`${where}${who}`, "info", 10_000, {
        label: "Undo",
        run: () =>
          void moveAppointment(id, prev, () => {}, (msg) => toast(`Not undone: ${msg.replace(" The appointment was put back.", "")}`, "error", 8000), a.version).then(
            (b) => b && toast(`Back at ${formatTime(b.start, tz())}.`),
          ),
      });
    });
  }

  // Single changes (live pushes, optimistic moves, rollbacks) → patch one event in the calendar.
  const onPatch = (p: Patch) => {
    if (!ec) return;
    if (view() === "month") return void (p.kind === "appointment" && setMonthTick((t) => t + 1));
    const ids = new Set(shownDoctors().map((d) => d.id));
    if (p.op === "delete") return void ec.removeEventById(p.kind === "blocked" ? BLOCK_PREFIX + p.id : p.id);
    const id = p.kind === "blocked" ? BLOCK_PREFIX + p.value.id : p.value.id;
    if (!ids.has(p.value.doctorId)) return void ec.removeEventById(id);
    const input = p.kind === "appointment" ? appointmentEvent(p.value, tz(), user(), doctorOf(p.value.doctorId)) : blockedEvent(p.value, tz());
    if (p.kind === "blocked" && view() === "week" && isPhone()) return; // the agenda lists appointments only
    const cur = ec.getEventById(id);
    // Cancelling (or restoring) turns a block into the background marker or back: redraw it whole.
    if (cur && (cur.display === "background") !== (input.display === "background")) ec.removeEventById(id), ec.addEvent(input);
    else if (!cur) ec.addEvent(input);
    // After a drag the calendar already shows the new place: redrawing it again would re-lay out
    // every block for nothing (most of the cost of a drop), so skip when nothing differs.
    else if (!sameAsShown(cur, input)) ec.updateEvent(input as Calendar.EventInput);
  };
  patchListeners.add(onPatch);
  onCleanup(() => patchListeners.delete(onPatch));

  // Live updates come over the app's one socket (App.tsx), subscribed to every doctor.

  // Navigation.
  const step = (dir: 1 | -1) => {
    const d = date();
    const v = view();
    if (v === "day") setDate(addDays(d, dir));
    else if (v === "week") setDate(addDays(d, 7 * dir));
    else setDate(new Date(d.getFullYear(), d.getMonth() + dir, 1));
  };
  const goToday = () => setDate(todayIn(tz()));
  const now = clinicNowPainter(() => ({ tz: tz(), day: visible() ? ymd(visible()!.start) : "", slotMinTime: grid().slotMinTime, slotMaxTime: grid().slotMaxTime, slotMinutes: SLOT_MINUTES, slotHeight: SLOT_HEIGHT }));

  function newAppointment() {
    const d = shownDoctors()[0];
    setBooking({ doctorId: user()?.doctorId ?? d?.id, date: ymd(date()) });
  }

  // Keyboard shortcuts; ignored while typing or while a dialog/panel field has focus.
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement;
    if (t.closest("input, textarea, select, [contenteditable], dialog")) return;
    if (e.key === "Escape") {
      setOpenId(null);
      return;
    }
    if (t.dataset?.appointmentId && e.key === "Enter") return setOpenId(t.dataset.appointmentId);
    const k = e.key;
    const map: Record<string, () => void> = {
      t: goToday,
      d: () => setView("day"),
      w: () => setView("week"),
      m: () => setView("month"),
      ArrowLeft: () => step(-1),
      k: () => step(-1),
      ArrowRight: () => step(1),
      j: () => step(1),
      n: newAppointment,
      "?": () => setHelp(true),
    };
    if (map[k]) {
      e.preventDefault();
      map[k]();
    }
  };
  window.addEventListener("keydown", onKey);
  onCleanup(() => window.removeEventListener("keydown", onKey));

  // Phone: swipe left/right on the calendar changes the day (or week/month); see swipe.ts.
  let wrap!: HTMLDivElement;
  onMount(() => attachSwipe(wrap, step));

  const toggleDoctor = (id: string) => {
    const all = doctors().map((d) => d.id);
    const cur = doctorFilter().length ? doctorFilter() : all;
    const next = cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id];
    setDoctorFilter(next.length === all.length ? [] : next.length ? next : [id]);
  };
  const isShown = (id: string) => shownDoctors().some((d) => d.id === id);

  const empty = createMemo(() => {
    generation();
    return !loading() && Object.keys(appointments).length === 0;
  });

  return (
    <div class="cal-page">
      <CalendarToolbar onStep={step} onToday={goToday} onNew={newAppointment} />
      <div class="filters" role="group" aria-label="Doctors">
        <For each={doctors()}>
          {(d) => (
            <button type="button" class="chip" aria-pressed={isShown(d.id)} onClick={() => toggleDoctor(d.id)} style={{ "--chip": d.color }}>
              <span class="dot" aria-hidden="true" />
              {d.name}
            </button>
          )}
        </For>
        <Show when={view() !== "month"}>
          <label class="check">
            <input type="checkbox" checked={sideBySide()} onChange={(e) => setSideBySide(e.currentTarget.checked)} /> Side by side
          </label>
        </Show>
        <Show when={hasIdleWeekend() && view() !== "day"}>
          <label class="check">
            <input type="checkbox" checked={showWeekends()} onChange={(e) => setShowWeekends(e.currentTarget.checked)} data-testid="show-weekends" /> Weekends
          </label>
        </Show>
        <span class={`live live-${liveState()}`} role="status" data-testid="live-state" title="Live updates">
          <span class="dot" aria-hidden="true" />
          {liveState() === "live" ? "Live" : liveState() === "connecting" ? "Connecting…" : "Offline – reconnecting"}
        </span>
        <button type="button" class="btn btn-quiet" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts" aria-keyshortcuts="?">
          ?
        </button>
      </div>
      <div class="legend" aria-label="Status colours">
        <For each={["scheduled", "confirmed", "completed", "cancelled", "no_show"] as const}>
          {(s) => <span class={`badge st-${s}`}>{STATUS_LABEL[s]}</span>}
        </For>
        <span class="badge blocked-badge">Blocked</span>
      </div>
      <Show when={loadError()}>
        <div class="banner banner-error" role="alert">
          {loadError()}
        </div>
      </Show>
      <Show when={view() === "day"}>
        <DayNotes day={ymd(date())} doctorIds={shownDoctors().map((d) => d.id)} tz={tz()} />
      </Show>
      <div class="cal-body">
        <div
          class="cal-wrap"
          ref={wrap}
          data-view={view()}
          data-phone={isPhone() ? "true" : "false"}
          data-combined={useResources() ? "false" : "true"}
          data-testid="calendar"
          aria-busy={loading() ? "true" : "false"}
          classList={{ "drag-refused": !!dragProblem() }}
        >
          <Show when={dragProblem()}>
            {(p) => (
              <div class="drag-hint" role="status" data-testid="drag-hint">
                {p().text}
              </div>
            )}
          </Show>
          <Show when={loading()}>
            <div class="loading" role="status">
              Loading…
            </div>
          </Show>
          <Show when={empty()}>
            <div class="empty" role="status">
              No appointments in this period. Click a free time to book one.
            </div>
          </Show>
          <EventCalendar options={options} ref={(x) => (ec = x)} class="ec-host" label="Appointments calendar" onRendered={(h) => (fixCalendarA11y(h), now.paint(h))} />
          <Show when={isPhone() && view() === "month"}>
            <PhoneDayList day={ymd(date())} doctorIds={shownDoctors().map((d) => d.id)} onOpen={setOpenId} />
          </Show>
        </div>
        <Show when={openId()}>{(id) => <AppointmentPanel id={id()} onClose={closeDetails} />}</Show>
      </div>
      <HoverCard />
      <Show when={booking()}>
        {(init) => (
          <BookingDialog
            init={init()}
            onClose={() => setBooking(null)}
            onBooked={(a: Appointment) => {
              setBooking(null);
              toast(`Booked ${a.patientName}, ${formatDateTime(a.start, tz())}.`);
            }}
          />
        )}
      </Show>
      <Show when={help()}>
        <Dialog title="Keyboard shortcuts" onClose={() => setHelp(false)}>
          <dl class="shortcuts">
            <dt><kbd>t</kbd></dt><dd>Today</dd>
            <dt><kbd>d</kbd> <kbd>w</kbd> <kbd>m</kbd></dt><dd>Day, week, month view</dd>
            <dt><kbd>←</kbd> <kbd>→</kbd> or <kbd>k</kbd> <kbd>j</kbd></dt><dd>Previous / next</dd>
            <dt><kbd>n</kbd></dt><dd>New appointment</dd>
            <dt><kbd>Enter</kbd></dt><dd>Open the focused appointment</dd>
            <dt><kbd>Esc</kbd></dt><dd>Close panel or dialog</dd>
            <dt><kbd>?</kbd></dt><dd>This help</dd>
          </dl>
        </Dialog>
      </Show>
    </div>
  );
}

