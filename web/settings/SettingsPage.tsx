// Settings shell: a sub-navigation over the settings pages, each shown only to roles that may
// use it (e-mail templates: admin; .ics import: doctor for themself, admin for any doctor).
import { For, Match, Switch } from "solid-js";
import type { Role } from "../api-client/types";
import { navigate, path } from "../stores/route";
import { user } from "../stores/session";
import { ClinicPage } from "../admin/ClinicPage";
import { DoctorsPage } from "../admin/DoctorsPage";
import { StaffPage } from "../admin/StaffPage";
import { EmailTemplatesPage } from "./EmailTemplatesPage";
import { ImportIcsPage } from "./ImportIcsPage";
import { IntegrationsPage } from "./IntegrationsPage";
import { RemindersPage } from "../engagement/RemindersPage";
import { SuggestionsPage } from "../suggestions/SuggestionsPage";

const PAGES: { href: string; label: string; roles: Role[] }[] = [
  { href: "/settings/integrations", label: "Integrations", roles: ["admin", "doctor", "receptionist"] },
  { href: "/settings/import", label: "Import .ics", roles: ["admin", "doctor"] },
  { href: "/settings/email-templates", label: "E-mail templates", roles: ["admin"] },
  { href: "/settings/staff", label: "Staff", roles: ["admin"] },
  { href: "/settings/doctors", label: "Doctors", roles: ["admin"] },
  { href: "/settings/doctors", label: "My hours", roles: ["doctor"] },
  { href: "/settings/clinic", label: "Clinic", roles: ["admin"] },
  { href: "/settings/reminders", label: "Reminders", roles: ["admin", "doctor", "receptionist"] },
  { href: "/settings/no-shows", label: "No-shows", roles: ["admin", "doctor", "receptionist"] },
];

export function SettingsPage() {
  const allowed = (href: string) => PAGES.some((p) => p.href === href && p.roles.includes(user()!.role));
  return (
    <div class="settings-shell">
      <nav class="settings-nav" aria-label="Settings">
        <For each={PAGES.filter((p) => p.roles.includes(user()!.role))}>
          {(p) => (
            <a
              href={p.href}
              aria-current={path() === p.href || path().startsWith(`${p.href}/`) ? "page" : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(p.href);
              }}
            >
              {p.label}
            </a>
          )}
        </For>
      </nav>
      <Switch fallback={<IntegrationsPage />}>
        <Match when={path() === "/settings/import" && allowed("/settings/import")}>
          <ImportIcsPage />
        </Match>
        <Match when={path() === "/settings/email-templates" && allowed("/settings/email-templates")}>
          <EmailTemplatesPage />
        </Match>
        <Match when={path() === "/settings/staff" && allowed("/settings/staff")}>
          <StaffPage />
        </Match>
        <Match when={path().startsWith("/settings/doctors") && allowed("/settings/doctors")}>
          <DoctorsPage />
        </Match>
        <Match when={path() === "/settings/clinic" && allowed("/settings/clinic")}>
          <ClinicPage />
        </Match>
        <Match when={path() === "/settings/reminders" && allowed("/settings/reminders")}>
          <RemindersPage />
        </Match>
        <Match when={path() === "/settings/no-shows" && allowed("/settings/no-shows")}>
          <SuggestionsPage />
        </Match>
      </Switch>
    </div>
  );
}
