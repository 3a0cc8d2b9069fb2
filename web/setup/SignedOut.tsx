// What a signed-out visitor sees: the first-run setup page while the server has no clinic,
// otherwise the log-in. Asked once per page load (GET /api/setup is one indexed read); if the
// server cannot say, the log-in is shown (the error banner explains why it may not work).
import { createEffect, createResource, Match, Switch } from "solid-js";
import { LoginPage } from "../LoginPage";
import { navigate, path, replacePath } from "../stores/route";
import { adminApi } from "../admin/admin-api";
import { SetupPage } from "./SetupPage";

export function SignedOut() {
  const [needed, { mutate }] = createResource(async () => {
    try {
      return (await adminApi.setupNeeded()).needed;
    } catch {
      return false;
    }
  });
  // /setup once set up: the page is gone, the address becomes the log-in's.
  createEffect(() => {
    if (!needed.loading && !needed() && path() === "/setup") replacePath("/");
  });
  return (
    <Switch>
      <Match when={needed.loading}>
        <p class="center muted" role="status">
          Loading ACMS Calendar…
        </p>
      </Match>
      <Match when={needed()}>
        <SetupPage
          onDone={(already) => {
            mutate(false);
            if (already) navigate("/");
          }}
        />
      </Match>
      <Match when={!needed()}>
        <LoginPage />
      </Match>
    </Switch>
  );
}
