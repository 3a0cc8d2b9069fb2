import { exports } from "cloudflare:workers";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("worker smoke", () => {
  it("answers unknown API routes with a JSON 404", async () => {
    const res = await exports.default.fetch("http://localhost/api/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });
  it("has the migrated schema in D1", async () => {
    const r = await env.DB.prepare("SELECT count(*) AS n FROM appointments").first<{ n: number }>();
    expect(r?.n).toBe(0);
  });
});
