// Modal dialog on the native <dialog> element: Escape and an inert background for free.
// Focus: it starts on the dialog's first field (the element marked data-autofocus, else the
// first control after the title bar), Tab and Shift+Tab wrap around inside it (the native
// modal lets Tab escape to the browser's own UI), and on close focus returns to what opened it.
import { onCleanup, onMount, type JSX } from "solid-js";

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: { title: string; onClose: () => void; children: JSX.Element; class?: string; testId?: string }) {
  let el!: HTMLDialogElement;
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const opener = document.activeElement as HTMLElement | null;
  const focusables = () => [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => x.offsetParent !== null || x === document.activeElement);
  onMount(() => {
    el.showModal();
    const first = el.querySelector<HTMLElement>("[data-autofocus]") ?? focusables().find((x) => !x.closest(".dialog-head")) ?? focusables()[0];
    first?.focus();
  });
  onCleanup(() => {
    if (el.open) el.close();
    if (opener?.isConnected && opener !== document.body) opener.focus();
  });
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Tab") return;
    const list = focusables();
    if (!list.length) return;
    const [first, last] = [list[0], list[list.length - 1]];
    if (e.shiftKey && (document.activeElement === first || !el.contains(document.activeElement))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <dialog
      ref={el}
      class={`dialog ${props.class ?? ""}`}
      aria-labelledby={titleId}
      data-testid={props.testId}
      onKeyDown={onKeyDown}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <header class="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="icon-btn" aria-label="Close dialog" onClick={() => props.onClose()}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  );
}
