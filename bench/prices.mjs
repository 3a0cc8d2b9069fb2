// Prices the cost table of `npm run bench` uses (bench/cost.bench.mjs): one place, each with
// its date and source. Workers Paid plan; amounts in USD. Included amounts are per account
// per month (the $5 plan's allowance); the bill below charges a clinic its usage at the
// overage rate as if nothing were included, so the figure is what one more clinic adds.
export const PRICES_AS_OF = "2026-12-06";

export const PLAN = {
  monthlyUsd: 5,
  source: "https://developers.cloudflare.com/workers/platform/pricing/ (Workers Paid: $5/month minimum)",
};

export const WORKERS = {
  requestsIncluded: 10_000_000,
  usdPerMillionRequests: 0.3,
  cpuMsIncluded: 30_000_000,
  usdPerMillionCpuMs: 0.02,
  source: "https://developers.cloudflare.com/workers/platform/pricing/ (Standard usage model: 10M requests + 30M CPU ms included, then $0.30/M requests, $0.02/M CPU ms)",
};

export const DURABLE_OBJECTS = {
  requestsIncluded: 1_000_000,
  usdPerMillionRequests: 0.15,
  gbSecondsIncluded: 400_000,
  usdPerMillionGbSeconds: 12.5,
  /** Duration is billed at the object's 128 MB while it runs or cannot hibernate. */
  memoryGb: 128 / 1024,
  // SQLite-backed storage (billed since January 2026): rows and GB-month.
  rowsReadIncluded: 25_000_000_000,
  usdPerMillionRowsRead: 0.001,
  rowsWrittenIncluded: 50_000_000,
  usdPerMillionRowsWritten: 1.0,
  storageGbIncluded: 5,
  usdPerGbMonth: 0.2,
  source:
    "https://developers.cloudflare.com/durable-objects/platform/pricing/ (1M requests + 400,000 GB-s included, then $0.15/M requests, $12.50/M GB-s; every RPC method call is one request; SQLite storage: $0.001/M rows read, $1.00/M rows written, $0.20/GB-month)",
};

export const D1 = {
  rowsReadIncluded: 25_000_000_000,
  usdPerMillionRowsRead: 0.001,
  rowsWrittenIncluded: 50_000_000,
  usdPerMillionRowsWritten: 1.0,
  storageGbIncluded: 5,
  usdPerGbMonth: 0.75,
  source: "https://developers.cloudflare.com/d1/platform/pricing/ (25B rows read + 50M rows written + 5 GB included, then $0.001/M rows read, $1.00/M rows written, $0.75/GB-month)",
};

export const SMS = {
  // Twilio, United States long code, outbound, per segment; carriers add a pass-through fee
  // (AT&T $0.0035/segment in the example the source gives), so the all-in figure is used.
  usdPerSegment: 0.0083,
  usdCarrierFeePerSegment: 0.0035,
  source: "https://www.twilio.com/en-us/sms/pricing/us ($0.0083 per outbound segment, 2026; carrier fees extra, e.g. AT&T $0.0035)",
};
