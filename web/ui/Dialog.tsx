// Modal dialog on the native <dialog> element: focus trap, Escape and inert background for free.
import { onCleanup, onMount, type JSX } from "solid-js";

export function Dialog(props: { title: string; onClose: () => void; children: JSX.Element; class?: string; testId?: string }) {
  let el!: HTMLDialogElement;
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  onMount(() => el.showModal());
  onCleanup(() => el.open && el.close());
  return (
    <dialog
      ref={el}
      class={`dialog ${props.class ?? ""}`}
      aria-labelledby={titleId}
      data-testid={props.testId}
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
