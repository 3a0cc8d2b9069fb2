// A throw-away Radicale (real CalDAV server, Debian package `radicale`) for the
// CalDAV tests. Node side only: started by vitest's globalSetup
// (./radicale-global.ts) because workerd cannot spawn processes.
// - A free loopback port, a temp dir with its own config, htpasswd (plain) and storage.
// - A tiny admin endpoint on another loopback port lets the tests (inside workerd)
//   add users and change passwords in the htpasswd file (Radicale re-reads it on
//   every log-in), which is how "credentials revoked" is reproduced for real.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../../scripts/free-port";

export const RADICALE_MISSING =
  "Radicale (a real CalDAV server) is needed by the CalDAV tests and was not found. Install it with: " +
  "sudo apt-get update && sudo apt-get install -y --no-install-recommends radicale  (or: pip install radicale), then run npm test again.";

export interface RunningRadicale {
  url: string;
  adminUrl: string;
  stop(): Promise<void>;
}

export function radicaleCommand(): string[] | null {
  if (spawnSync("radicale", ["--version"], { stdio: "ignore" }).status === 0) return ["radicale"];
  if (spawnSync("python3", ["-m", "radicale", "--version"], { stdio: "ignore" }).status === 0) return ["python3", "-m", "radicale"];
  return null;
}

export async function startRadicale(): Promise<RunningRadicale> {
  const cmd = radicaleCommand();
  if (!cmd) throw new Error(RADICALE_MISSING);
  const dir = mkdtempSync(path.join(tmpdir(), "acms-radicale-"));
  const users = path.join(dir, "users");
  writeFileSync(users, "");
  const port = await freePort();
  const config = path.join(dir, "config");
  writeFileSync(
    config,
    [
      "[server]",
      `hosts = 127.0.0.1:${port}`,
      "[auth]",
      "type = htpasswd",
      `htpasswd_filename = ${users}`,
      "htpasswd_encryption = plain",
      "delay = 0",
      "[storage]",
      `filesystem_folder = ${path.join(dir, "collections")}`,
      "[rights]",
      "type = owner_only",
      "[web]",
      "type = none",
      "[logging]",
      "level = warning",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(cmd[0], [...cmd.slice(1), "--config", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode != null) throw new Error(`Radicale exited (${child.exitCode}): ${stderr}`);
    try {
      const r = await fetch(`${url}/.well-known/caldav`, { redirect: "manual" });
      if (r.status > 0) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`Radicale did not start on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  // Radicale reads the htpasswd file on every login: writing it in place (truncate, then write)
  // let a login that came in between see an empty file and refuse a valid password, a flake of
  // the CalDAV tests under load. A rename replaces it whole.
  const writeUsers = (lines: string[]) => {
    writeFileSync(`${users}.next`, lines.join("\n") + "\n");
    renameSync(`${users}.next`, users);
  };
  // Admin: POST /users {user, password} sets (adds or changes) a password; DELETE /users/<name> removes.
  const admin: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      try {
        const lines = readFileSync(users, "utf8").split("\n").filter(Boolean);
        const m = /^\/users\/?([^/]*)$/.exec(req.url ?? "");
        if (!m) throw new Error("not found");
        if (req.method === "POST") {
          const { user, password } = JSON.parse(body) as { user: string; password: string };
          if (!/^[\w.@+-]{1,100}$/.test(user) || /[\n:]/.test(password)) throw new Error("bad user");
          const next = lines.filter((l) => !l.startsWith(`${user}:`)).concat(`${user}:${password}`);
          writeUsers(next);
        } else if (req.method === "DELETE") {
          const user = decodeURIComponent(m[1]);
          writeUsers(lines.filter((l) => !l.startsWith(`${user}:`)));
        } else throw new Error("method");
        res.writeHead(204).end();
      } catch (err) {
        res.writeHead(400, { "content-type": "text/plain" }).end(String((err as Error).message));
      }
    });
  });
  const adminPort = await freePort();
  await new Promise<void>((r) => admin.listen(adminPort, "127.0.0.1", () => r()));

  return {
    url,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    async stop() {
      await new Promise<void>((r) => admin.close(() => r()));
      if (child.exitCode == null) {
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode == null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
