// Worker tests run inside workerd through @cloudflare/vitest-plugin: real D1,
// real Durable Objects, real WebSockets. Migrations are read here (Node side)
// and applied inside the runtime by test/setup.ts.
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // Test-only secrets; production values come from `wrangler secret put`.
          bindings: {
            TEST_MIGRATIONS: migrations,
            APP_URL: "http://localhost:8787",
            SESSION_SECRET: "test-session-secret-0123456789abcdef",
            TOKEN_KEYS: JSON.stringify({ k1: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", k2: "Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=" }),
            TOKEN_KEY_CURRENT: "k2",
            GOOGLE_CLIENT_ID: "test-client-id.apps.googleusercontent.com",
            GOOGLE_CLIENT_SECRET: "test-client-secret",
            // Google sync tests: the emulator (test/fakes/google) answers on this host via a
            // test-only fetch router installed in the test files; see test/fakes/google/router.ts.
            GOOGLE_OAUTH_AUTHORIZE_URL: "https://google.test/o/oauth2/v2/auth",
            GOOGLE_OAUTH_TOKEN_URL: "https://google.test/token",
            GOOGLE_OAUTH_REVOKE_URL: "https://google.test/revoke",
            GOOGLE_API_BASE: "https://google.test/calendar/v3",
            // Outlook sync tests: the Graph + identity-platform emulator (test/fakes/microsoft).
            MICROSOFT_CLIENT_ID: "00000000-test-4aaa-8bbb-0123456789ab",
            MICROSOFT_CLIENT_SECRET: "test-ms-client-secret",
            MICROSOFT_TENANT: "common",
            MICROSOFT_LOGIN_BASE: "https://login.microsoft.test",
            MICROSOFT_GRAPH_BASE: "https://graph.microsoft.test/v1.0",
            WEBHOOK_BASE_URL: "https://acms.test",
            // SMS reminders: the Twilio emulator (test/fakes/twilio) answers on this host.
            TWILIO_API_BASE: "https://twilio.test",
            TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000001",
            TWILIO_AUTH_TOKEN: "twilio-test-auth-token",
            TWILIO_FROM: "+15005550006",
            SMS_DEFAULT_COUNTRY_CODE: "44",
            // CalDAV tests talk to a real Radicale on http://127.0.0.1:<port> (see test/fakes/caldav).
            CALDAV_ALLOW_HTTP_LOOPBACK: "1",
          },
        },
      }),
    ],
    test: {
      include: ["test/worker/**/*.test.ts"],
      setupFiles: ["./test/setup.ts"],
      // Starts a throw-away Radicale (CalDAV server) for test/worker/caldav; see docs/icloud-caldav.md.
      globalSetup: ["./test/fakes/caldav/radicale-global.ts"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      // Test files in parallel, three at a time. vitest's default on a 2-core machine is one
      // (cores - 1), but a file here spends most of its time in workerd (a process of its own)
      // and in start-up, not in vitest's own thread: on the 2-core CI machine the suite took
      // ~12 min one at a time, 4.7 min with 2 and 4.0 min with 3 (docs/performance.md). Each file
      // keeps its own isolated storage either way.
      maxWorkers: 3,
    },
  };
});
