// Shared helpers for benchmarks (bench/run.mjs and bench/*.bench.mjs):
// latency sampling with a concurrency limit, percentiles, a plain-text table,
// free loopback ports, and starting/stopping `wrangler dev` processes.
// Benchmarks talk to 127.0.0.1 only.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
// One port picker for tests and benches (see scripts/free-port.ts for why not listen(0)).
import { freePort } from "../scripts/free-port.ts";
export { freePort };

/** p-th percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export const ms = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : "–");

/**
 * Runs `task(i)` `total` times with at most `concurrency` in flight and returns the
 * latency of each call in ms. `task` must throw on a wrong answer, so a fast error
 * never passes for a fast success.
 */
export async function sample(task, { total, concurrency, warmup = Math.min(20, total) }) {
  for (let i = 0; i < warmup; i++) await task(-1 - i);
  const times = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await task(i);
      times.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - t0;
  return { times, p50: percentile(times, 50), p99: percentile(times, 99), rps: (total / wall) * 1000 };
}

/** Prints rows (arrays of cells) as an aligned table with a header. */
export function printTable(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(all[0]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of all.slice(1)) console.log(line(r));
}


/** Runs wrangler to completion (spawned by name: npm scripts put node_modules/.bin first on PATH). */
export function wranglerSync(args, opts = {}) {
  return execFileSync("wrangler", args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
  });
}

/** Runs a SQL text against the local D1 in `persistTo` (through a temp file; `extraArgs` e.g. ["-c", config]). */
export function applySql(sql, persistTo, extraArgs = []) {
  const dir = mkdtempSync(path.join(tmpdir(), "acms-bench-sql-"));
  try {
    const file = path.join(dir, "chunk.sql");
    writeFileSync(file, sql);
    wranglerSync(["d1", "execute", "acms", "--local", "--persist-to", persistTo, ...extraArgs, "--file", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts `wrangler dev` on 127.0.0.1:<port> and resolves when `readyPath` answers.
 * Returns { url, stop(), log() }. The child runs in its own process group so stop()
 * ends wrangler and its workerd together.
 */
export async function startWranglerDev({ args, port, cwd, readyPath = "/", timeoutMs = 90_000, name = "wrangler dev" }) {
  const inspector = await freePort();
  const child = spawn(
    "wrangler",
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--show-interactive-dev-session=false", "--log-level", "warn", ...args],
    // CLOUDFLARE_CF_FETCH_ENABLED=false: Miniflare would otherwise fetch a sample request.cf
    // from workers.cloudflare.com; benches stay on loopback.
    { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" } },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
    }
  };
  process.on("exit", stop);
  // The child has its own process group, so Ctrl-C does not reach it: exit through
  // process.exit so the "exit" handlers above stop every server we started.
  for (const sig of ["SIGINT", "SIGTERM"]) if (!process.listenerCount(sig)) process.on(sig, () => process.exit(130));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early:\n${out}`);
    try {
      const r = await fetch(url + readyPath);
      await r.arrayBuffer();
      // pgid: the server runs in its own process group; benches read its CPU time from it.
      if (r.status < 500) return { url, stop, log: () => out, pgid: child.pid, inspectorPort: inspector };
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`${name} did not start within ${timeoutMs / 1000}s:\n${out}`);
}

/** fetch that throws unless the status is the expected one; returns parsed JSON. */
export async function fetchJson(url, init = {}, expect = 200) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${init.method ?? "GET"} ${url} → ${res.status} (expected ${expect}): ${text.slice(0, 300)}`);
  return { res, body: text ? JSON.parse(text) : null };
}

/** CPU seconds (utime+stime) of every workerd process in a process group. */
export function groupCpuMs(pgid) {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const f = stat.slice(close + 2).split(" ");
      // fields after ")": state(0) ppid(1) pgrp(2) ... utime(11) stime(12)
      if (Number(f[2]) === pgid && comm.startsWith("workerd")) ticks += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}
