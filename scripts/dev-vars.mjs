// Creates .dev.vars with fresh local secrets the first time `npm run dev` runs.
// Wrangler and the Vite plugin read it; it is git-ignored.
import { existsSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";

export function ensureDevVars(path = ".dev.vars") {
  if (existsSync(path)) return false;
  const key = () => randomBytes(32).toString("base64");
  writeFileSync(
    path,
    [
      `SESSION_SECRET="${randomBytes(32).toString("hex")}"`,
      `TOKEN_KEYS='${JSON.stringify({ k1: key() })}'`,
      `TOKEN_KEY_CURRENT="k1"`,
      `GOOGLE_CLIENT_SECRET=""`,
      "",
    ].join("\n"),
  );
  return true;
}
