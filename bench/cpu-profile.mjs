// CPU profile of a `wrangler dev` Worker (its Durable Objects included: they run in the same
// isolate) over the Chrome DevTools protocol that wrangler's --inspector-port serves. Used by
// `bench/run.mjs --profile <op>` to answer "where does the time go" with the V8 sampling
// profiler instead of guesses. `ws` is already installed as wrangler's own dependency.
import { writeFileSync } from "node:fs";
import WebSocket from "ws";

/** Connects to the Worker's inspector; returns { start(), stop(file) → summary rows }. */
export async function cpuProfiler(inspectorPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((res, rej) => (ws.once("open", res), ws.once("error", rej)));
  let id = 0;
  const pending = new Map();
  ws.on("message", (m) => {
    const msg = JSON.parse(String(m));
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  });
  const call = (method, params = {}) =>
    new Promise((res, rej) => {
      const i = ++id;
      pending.set(i, (msg) => (msg.error ? rej(new Error(`${method}: ${msg.error.message}`)) : res(msg.result)));
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  await call("Profiler.enable");
  await call("Debugger.enable").catch(() => {}); // for getScriptSource after the run
  await call("Profiler.setSamplingInterval", { interval: 200 });
  return {
    start: () => call("Profiler.start"),
    async stop(file) {
      const { profile } = await call("Profiler.stop");
      if (file) {
        writeFileSync(file, JSON.stringify(profile));
        // The bundle wrangler dev ran lives in a temp dir that goes with it: keep the profiled
        // script's source beside the profile so "index.js:55702" can be looked up afterwards.
        const ids = new Set(profile.nodes.filter((n) => n.callFrame.url.endsWith("index.js")).map((n) => n.callFrame.scriptId));
        for (const scriptId of ids) {
          const src = await call("Debugger.getScriptSource", { scriptId }).catch(() => null);
          if (src) writeFileSync(`${file}.script-${scriptId}.js`, src.scriptSource);
        }
      }
      ws.close();
      return summarize(profile);
    },
  };
}

/** Self and total time (ms) per function, from the profile's samples and time deltas. */
function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const total = new Map();
  let all = 0;
  let idle = 0;
  profile.samples.forEach((sid, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const n = byId.get(sid);
    all += dt;
    if (n.callFrame.functionName === "(idle)") idle += dt;
    const key = (node) => `${node.callFrame.functionName || "(anonymous)"} ${String(node.callFrame.url).split("/").slice(-2).join("/")}:${node.callFrame.lineNumber + 1}`;
    self.set(key(n), (self.get(key(n)) ?? 0) + dt);
    const seen = new Set();
    for (let cur = sid; cur != null; cur = parent.get(cur)) {
      const k = key(byId.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  });
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 25);
  return { wallMs: all, busyMs: all - idle, self: top(self), total: top(total) };
}
