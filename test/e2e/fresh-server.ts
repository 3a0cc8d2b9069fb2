// A second app for the tests that need an EMPTY database (first-run setup): the same built Worker
// as global-setup.ts serves, on its own port and its own fresh local D1 (migrated, never seeded),
// with Google left unconfigured (GOOGLE_CLIENT_ID empty, as wrangler.toml ships it).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../scripts/free-port";

const root = path.resolve(import.meta.dirname, "../..");
const bin = (name: string) => path.join(root, "node_modules/.bin", name);
const builtConfig = path.join(root, "dist/acms_calendar/wrangler.json");

export interface FreshServer {
  url: string;
  stop(): void;
}

/** Starts `wrangler dev` of the built app on an empty, migrated D1. Call stop() in afterAll. */
export async function startFreshServer(): Promise<FreshServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "acms-fresh-"));
  const persist = path.join(dir, "state");
  const env = { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" };
  const r = spawnSync(bin("wrangler"), ["d1", "migrations", "apply", "acms", "--local", "--persist-to", persist, "-c", builtConfig], { cwd: root, encoding: "utf8", env });
  if (r.status !== 0) throw new Error(`migrations failed:\n${r.stdout}\n${r.stderr}`);
  const port = await freePort();
  const url = `http://localhost:${port}`;
  let log = "";
  const server: ChildProcess = spawn(
    bin("wrangler"),
    ["dev", "-c", builtConfig, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persist, "--inspector-port", String(await freePort()), "--show-interactive-dev-session=false", "--var", `APP_URL:${url}`],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  server.stdout!.on("data", (b) => (log += b));
  server.stderr!.on("data", (b) => (log += b));
  const stop = () => {
    try {
      if (server.pid) process.kill(-server.pid, "SIGTERM"); // wrangler and its workerd child
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) {
      stop();
      throw new Error(`wrangler dev exited:\n${log}`);
    }
    try {
      if ((await fetch(`${url}/api/setup`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`wrangler dev did not become ready:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, stop };
}
