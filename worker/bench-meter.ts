// Usage meter for the cost table of `npm run bench` (bench/cost.bench.mjs). Off unless the
// Worker runs with BENCH_METER=1, which only the bench sets (`wrangler dev --var`); deployed
// Workers never have it, and then meterEnv() returns env untouched.
//
// Counts what Cloudflare bills, in this isolate (under wrangler dev the Worker and its Durable
// Objects share one): Worker invocations (fetch + scheduled), D1 rows read and written (from
// each result's meta, as D1 bills them), Durable Object requests (every RPC method call on a
// stub is one billed request) and the wall time those objects are active (RPC time seen by
// the caller plus the hubs' background work: an upper bound of billed duration).
// GET /api/__meter answers the totals; POST /api/__meter resets them (under /api/: the Worker runs first there, not the SPA assets).
import type { Env } from "./env";

export interface MeterTotals {
  workerRequests: number;
  d1Queries: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  doRequests: number;
  doActiveMs: number;
}

const zero = (): MeterTotals => ({ workerRequests: 0, d1Queries: 0, d1RowsRead: 0, d1RowsWritten: 0, doRequests: 0, doActiveMs: 0 });
let totals = zero();
let on = false;

export const meterOn = (env: Pick<Env, "BENCH_METER">) => env.BENCH_METER === "1";

/** Counts an activity of a Durable Object (its background work) until `p` settles. */
export function trackActive<T>(p: Promise<T>): Promise<T> {
  if (!on) return p;
  const t0 = performance.now();
  const done = () => void (totals.doActiveMs += performance.now() - t0);
  p.then(done, done);
  return p;
}

type Meta = { rows_read?: number; rows_written?: number } | undefined;
const add = (meta: Meta) => {
  totals.d1Queries++;
  totals.d1RowsRead += meta?.rows_read ?? 0;
  totals.d1RowsWritten += meta?.rows_written ?? 0;
};

const raw = new WeakMap<object, D1PreparedStatement>();

function meterStatement(st: D1PreparedStatement): D1PreparedStatement {
  const proxy: D1PreparedStatement = new Proxy(st, {
    get(t, k) {
      if (k === "bind") return (...a: unknown[]) => meterStatement(t.bind(...a));
      if (k === "run" || k === "all")
        return async () => {
          const r = await t.all();
          add(r.meta as Meta);
          return r;
        };
      // first()/raw() carry no meta: go through all() for it and shape the answer the same way.
      if (k === "first")
        return async (col?: string) => {
          const r = await t.all<Record<string, unknown>>();
          add(r.meta as Meta);
          const row = r.results[0];
          return row === undefined ? null : col === undefined ? row : (row[col] ?? null);
        };
      if (k === "raw")
        return async (o?: { columnNames?: boolean }) => {
          const r = await t.all<Record<string, unknown>>();
          add(r.meta as Meta);
          const rows = r.results.map((x) => Object.values(x));
          return o?.columnNames ? [Object.keys(r.results[0] ?? {}), ...rows] : rows;
        };
      const v = Reflect.get(t, k, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  raw.set(proxy, st);
  return proxy;
}

function meterD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(t, k) {
      if (k === "prepare") return (sql: string) => meterStatement(t.prepare(sql));
      if (k === "batch")
        return async (sts: D1PreparedStatement[]) => {
          const res = await t.batch(sts.map((s) => raw.get(s) ?? s));
          for (const r of res) add(r.meta as Meta);
          return res;
        };
      const v = Reflect.get(t, k, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
}

function meterStub<T extends object>(stub: T): T {
  return new Proxy(stub, {
    get(t, k) {
      const v = Reflect.get(t, k, t) as unknown;
      if (typeof v !== "function" || typeof k !== "string" || k === "then") return v;
      return (...a: unknown[]) => {
        totals.doRequests++;
        const t0 = performance.now();
        const p = Promise.resolve(Reflect.apply(v, t, a));
        const done = () => void (totals.doActiveMs += performance.now() - t0);
        p.then(done, done);
        return p;
      };
    },
  });
}

function meterNamespace<N extends object>(ns: N): N {
  return new Proxy(ns, {
    get(t, k) {
      const v = Reflect.get(t, k, t) as unknown;
      if (typeof v !== "function") return v;
      if (k === "get" || k === "getByName") return (...a: unknown[]) => meterStub(Reflect.apply(v, t, a) as object);
      return (...a: unknown[]) => Reflect.apply(v, t, a);
    },
  });
}

const wrapped = new WeakMap<object, Env>();

/** env with metered bindings when BENCH_METER=1; env itself otherwise. */
export function meterEnv<E extends Env>(env: E): E {
  if (!meterOn(env)) return env;
  on = true;
  const hit = wrapped.get(env);
  if (hit) return hit as E;
  const m = { ...env, DB: meterD1(env.DB), DOCTOR_HUB: meterNamespace(env.DOCTOR_HUB), CLINIC_LIVE: meterNamespace(env.CLINIC_LIVE) };
  wrapped.set(env, m);
  return m;
}

/** Counts one Worker invocation (fetch or scheduled) when metering. */
export function countInvocation(env: Pick<Env, "BENCH_METER">): void {
  if (meterOn(env)) totals.workerRequests++;
}

/** GET /api/__meter → totals; POST /api/__meter → reset. Only reachable with BENCH_METER=1. */
export function meterResponse(req: Request): Response {
  if (req.method === "POST") totals = zero();
  return Response.json(totals);
}
