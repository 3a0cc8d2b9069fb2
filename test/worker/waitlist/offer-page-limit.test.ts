// The offer page's rate limit (/w/<token>) keys on the client as /r/ does (clientKeyOf): an IPv6
// subscriber owns a whole /64, so its addresses share one budget (docs/security.md).
import { describe, expect, it } from "vitest";
import { PAGE_LIMIT } from "../../../worker/routes/patient-page";
import { offerPage } from "./offer-client";

describe("offer page rate limit", () => {
  it("two IPv6 addresses of one /64 share the budget; another /64 has its own", async () => {
    const token = "A".repeat(32); // unknown: 404, but counted like any request
    const from = (ip: string) => offerPage(token, { headers: { "cf-connecting-ip": ip } });
    for (let i = 0; i < PAGE_LIMIT; i++) {
      const r = await from(i % 2 ? "2001:db8:77:1::1" : "2001:db8:77:1:abcd:ef01:2345:6789");
      expect(r.status).toBe(404);
      await r.body?.cancel();
    }
    const over = await from("2001:0db8:0077:0001:ffff::9");
    expect(over.status).toBe(429);
    await over.body?.cancel();
    const other = await from("2001:db8:77:2::1");
    expect(other.status).toBe(404);
    await other.body?.cancel();
  });
});
