// One Vite config for the SPA and the Worker.
// - vite-plugin-solid compiles the SolidJS JSX in web/.
// - @cloudflare/vite-plugin runs the Worker from wrangler.toml inside workerd during `vite dev`,
//   so the API, the Durable Objects and the SPA (with HMR) share one origin, exactly as in production.
// `vite build` writes the SPA to dist/client (wrangler.toml [assets] directory) and the Worker
// bundle to dist/acms_calendar (with a generated wrangler.json that `wrangler dev`/`deploy` pick up).
import path from "node:path";
import { cloudflare } from "@cloudflare/vite-plugin";
import { defineConfig, type Plugin } from "vite";
import solid from "vite-plugin-solid";
import { devContentEncoding } from "./scripts/vite-dev-encoding";

const here = import.meta.dirname;

// The address the dev server is really reached at (scripts/dev.mjs sets ACMS_APP_URL to the URL it
// prints, with --strictPort so Vite cannot drift to another port). wrangler.toml's APP_URL is the
// `wrangler dev` port; in `vite dev` feed URLs and e-mail links must name Vite's origin instead.
const devAppUrl = (port: number) => process.env.ACMS_APP_URL ?? `http://localhost:${port}`;

// `/__scheduled[?cron=…]` runs the Cron Trigger locally (watch polling and channel renewal,
// docs/sync.md), the same URL as `wrangler dev --test-scheduled`. Under `vite dev` the SPA
// would answer it, so rewrite it to Miniflare's own trigger, /cdn-cgi/handler/scheduled,
// which @cloudflare/vite-plugin serves. Dev server only: nothing of this is deployed.
function devScheduledRoute(): Plugin {
  return {
    name: "acms:dev-scheduled",
    enforce: "pre",
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        if (req.url === "/__scheduled" || req.url?.startsWith("/__scheduled?")) {
          // The plugin builds its Request from originalUrl: rewrite both.
          req.url = req.originalUrl = "/cdn-cgi/handler/scheduled" + req.url.slice("/__scheduled".length);
        }
        next();
      });
    },
  };
}

export default defineConfig(({ command }) => ({
  root: path.join(here, "web"),
  publicDir: path.join(here, "web/public"),
  plugins: [
    devScheduledRoute(),
    devContentEncoding(), // gzip feeds reach clients whole and labelled, as in production (issue 17)
    solid(),
    cloudflare({
      configPath: path.join(here, "wrangler.toml"),
      // Local D1/DO state in <repo>/.wrangler/state, where `wrangler d1 migrations apply --local`
      // and scripts/seed.mjs write. The plugin's default is relative to Vite's root (web/).
      // ACMS_STATE_DIR: a throw-away state dir (test/e2e/dev-server.test.ts), so a test never needs or touches yours.
      persistState: { path: process.env.ACMS_STATE_DIR ?? path.join(here, ".wrangler/state") },
      // Only while serving: a build must keep wrangler.toml's vars (deploys set APP_URL there).
      config: command === "serve" ? (c) => ({ vars: { ...c.vars, APP_URL: devAppUrl(5173) } }) : undefined,
    }),
  ],
  environments: {
    client: { build: { outDir: path.join(here, "dist/client"), emptyOutDir: true } },
    acms_calendar: { build: { outDir: path.join(here, "dist/acms_calendar"), emptyOutDir: true } },
  },
  server: { port: 5173 },
}));
