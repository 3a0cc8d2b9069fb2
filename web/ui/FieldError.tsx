// An error line under a field or form: rendered only when there is a message, announced to
// screen readers (role="alert"). `as="span"` where it sits inside a <label>'s inline flow.
import { Show } from "solid-js";

export function FieldError(props: { message?: string | null | false; id?: string; as?: "p" | "span" }) {
  return (
    <Show when={props.message}>
      {(m) =>
        props.as === "span" ? (
          <span class="field-error" id={props.id} role="alert">
            {m()}
          </span>
        ) : (
          <p class="field-error" id={props.id} role="alert">
            {m()}
          </p>
        )
      }
    </Show>
  );
}
