// Phone swipes on the calendar: left/right changes the day (or week/month). A sideways swipe is
// ours: it is kept from the browser, which would take a swipe right from the edge as "back"
// (CSS touch-action/overscroll-behavior do the same where supported). That needs a non-passive
// touchmove listener on the element itself: delegated document listeners are passive.
import { onCleanup } from "solid-js";

/** Attach to `el` (call inside a component, after mount); `step(+1)` is next, `step(-1)` previous. */
export function attachSwipe(el: HTMLElement, step: (dir: 1 | -1) => void) {
  let touch: { x: number; y: number; t: number } | null = null;
  const start = (e: TouchEvent) => {
    const p = e.touches[0];
    touch = e.touches.length === 1 ? { x: p.clientX, y: p.clientY, t: Date.now() } : null;
  };
  const move = (e: TouchEvent) => {
    if (!touch || e.touches.length !== 1 || !e.cancelable) return;
    const p = e.touches[0];
    const dx = p.clientX - touch.x;
    if (Math.abs(dx) > 10 && Math.abs(dx) > 1.5 * Math.abs(p.clientY - touch.y)) e.preventDefault();
  };
  const end = (e: TouchEvent) => {
    if (!touch) return;
    const p = e.changedTouches[0];
    const dx = p.clientX - touch.x;
    const dy = p.clientY - touch.y;
    const fast = Date.now() - touch.t < 800;
    touch = null;
    // A short movement (a tap, a wobble while scrolling) or a mostly vertical one is not a swipe.
    if (fast && Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy)) step(dx < 0 ? 1 : -1);
  };
  el.addEventListener("touchstart", start, { passive: true });
  el.addEventListener("touchmove", move, { passive: false });
  el.addEventListener("touchend", end, { passive: true });
  onCleanup(() => {
    el.removeEventListener("touchstart", start);
    el.removeEventListener("touchmove", move);
    el.removeEventListener("touchend", end);
  });
}
