// Feed Content-Encoding under the real local runtime (issue #8): wrangler dev's entry
// worker (miniflare) rewrites every request's Accept-Encoding to "br, gzip" before the
// Worker sees it, as Cloudflare does, so the vitest suite can only simulate it
// (test/worker/ics/feed-encoding.test.ts passes cf.clientAcceptEncoding by hand).
// This starts wrangler dev on a throw-away local D1 and reads the feed with raw
// node:http (no automatic decoding): no Accept-Encoding or "identity" must give plain
// text, "gzip" gzip bytes, cold and from the cache. Exits 1 on any mismatch.
//   PATH=$PWD/node_modules/.bin:$PATH node scripts/check-feed-encoding.mjs   (~1 min)
import http from "node:http";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { rmSync } from "node:fs";
import { hashPassword } from "./seed.mjs";
import { fetchJson, freePort, startWranglerDev, wranglerSync } from "../bench/lib.mjs";
const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const CLINIC = "c1" + "0".repeat(29) + "1", DOCTOR = "d1" + "0".repeat(29) + "1";
const state = mkdtempSync(path.join(tmpdir(), "acms-gz-"));
wranglerSync(["d1", "migrations", "apply", "acms", "--local", "--persist-to", state]);
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const start = Date.now() + 86400000;
writeFileSync(path.join(state, "seed.sql"), `
INSERT INTO clinics (id, name, time_zone, address, domain) VALUES ('${CLINIC}', 'GZ', 'Europe/London', '1 Road', 'gz.example');
INSERT INTO users (id, clinic_id, email, name, password_hash, role) VALUES ('a1${"0".repeat(29)}1', '${CLINIC}', 'gz@gz.example', 'Admin', ${q(hashPassword("gz-password-123"))}, 'admin');
INSERT INTO doctors (id, clinic_id, name) VALUES ('${DOCTOR}', '${CLINIC}', 'Dr. GZ');
INSERT INTO patients (id, clinic_id, name, name_lc, email) VALUES ('e1${"0".repeat(29)}1', '${CLINIC}', 'Pat', 'pat', 'p@gz.example');
INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, status, version, created_by, updated_by, created_at, updated_at)
 VALUES ('${"f".repeat(32)}', '${CLINIC}', '${DOCTOR}', 'e1${"0".repeat(29)}1', 'Pat', ${start}, ${start + 1800000}, 'consultation', 'scheduled', 1, 'x', 'x', 0, 0);`);
wranglerSync(["d1", "execute", "acms", "--local", "--persist-to", state, "--file", path.join(state, "seed.sql")]);
const src = path.join(state, "src");
for (const p of ["worker", "migrations", "wrangler.toml", "package.json", "tsconfig.json"]) cpSync(p, path.join(src, p), { recursive: true });
mkdirSync(path.join(src, "dist/client"), { recursive: true });
if (!existsSync(path.join(src, "dist/client/index.html"))) writeFileSync(path.join(src, "dist/client/index.html"), "<!doctype html><title>x</title>");
symlinkSync(path.join(root, "node_modules"), path.join(src, "node_modules"), "dir");
const port = await freePort();
const app = await startWranglerDev({ cwd: src, port, readyPath: "/api/auth/me", args: ["--config", "wrangler.toml", "--persist-to", state, "--var", "SESSION_SECRET:gz-session-secret-0123456789abcdef", "--var", `APP_URL:http://127.0.0.1:${port}`] });
try {
  const { body: s } = await fetchJson(`${app.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json", origin: app.url }, body: JSON.stringify({ email: "gz@gz.example", password: "gz-password-123" }) });
  const { body } = await fetchJson(`${app.url}/api/doctors/${DOCTOR}/feed`, { method: "POST", headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" }, body: "{}" }, 201);
  const feedPath = new URL(body.feed.url).pathname;
  const raw = (headers) => new Promise((res, rej) => http.get({ host: "127.0.0.1", port, path: feedPath, headers }, (r) => { const c = []; r.on("data", (d) => c.push(d)); r.on("end", () => res({ ce: r.headers["content-encoding"] ?? null, head: Buffer.concat(c).subarray(0, 15).toString("latin1") })); }).on("error", rej));
  let bad = 0;
  for (const [name, h, gz] of [["no Accept-Encoding", {}, false], ["identity", { "accept-encoding": "identity" }, false], ["gzip", { "accept-encoding": "gzip" }, true], ["no Accept-Encoding (cached)", {}, false], ["gzip (cached)", { "accept-encoding": "gzip" }, true]]) {
    const r = await raw(h);
    const ok = gz ? r.ce === "gzip" && r.head.startsWith("\x1f\x8b") : r.ce === null && r.head === "BEGIN:VCALENDAR";
    if (!ok) bad++;
    console.log(ok ? "ok  " : "FAIL", name.padEnd(28), JSON.stringify(r));
  }
  process.exitCode = bad ? 1 : 0;
} finally {
  app.stop();
  rmSync(state, { recursive: true, force: true });
}
