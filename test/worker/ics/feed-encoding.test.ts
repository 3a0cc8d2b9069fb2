// Feed compression is decided from what the CLIENT sent. Cloudflare (and the
// local runtime, miniflare) replace the request's Accept-Encoding with "br, gzip"
// before the Worker runs and keep the original in request.cf.clientAcceptEncoding;
// a calendar client or curl that sent none, or "identity", must get plain text.
import { describe, expect, it } from "vitest";
import { acceptsGzip, clientAcceptEncoding } from "../../../worker/ics/feed";
import { authed, makeClinic, worker } from "../../helpers";
import { daysFromNow, insertAppointment } from "./fixtures";
import { strictProblems } from "./strict";

async function feedPath() {
  const f = await makeClinic();
  const d = f.doctors[0];
  for (let i = 0; i < 5; i++) await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[0].id, start: daysFromNow(i + 1) });
  const { feed } = await (await authed(d.token).post(`/api/doctors/${d.doctor.id}/feed`, {})).json<any>();
  return new URL(feed.url).pathname;
}

/** As the platform delivers it: the header rewritten, the client's own value in cf (absent → ""). */
const viaPlatform = (path: string, sent: string | null) =>
  worker.fetch(`http://localhost${path}`, { headers: { "accept-encoding": "br, gzip" }, cf: { clientAcceptEncoding: sent ?? "" } } as RequestInit);

const isGzip = (b: ArrayBuffer) => new Uint8Array(b)[0] === 0x1f && new Uint8Array(b)[1] === 0x8b;

describe("feed Content-Encoding", () => {
  it("sends plain text to a client that sent no Accept-Encoding or identity, even though the platform says br, gzip (cold and cached)", async () => {
    const path = await feedPath();
    for (const sent of [null, "identity", "gzip;q=0", "deflate"]) {
      for (const round of ["first", "again"]) {
        const res = await viaPlatform(path, sent);
        expect(res.status, `${sent} ${round}`).toBe(200);
        expect(res.headers.get("content-encoding"), `${sent} ${round}`).toBeNull();
        const raw = await res.arrayBuffer();
        expect(isGzip(raw), `${sent} ${round}`).toBe(false);
        const text = new TextDecoder().decode(raw);
        expect(strictProblems(text)).toEqual([]);
      }
    }
  });

  it("sends gzip to a client that asked for it, and the same calendar", async () => {
    const path = await feedPath();
    const plain = await (await viaPlatform(path, null)).text();
    for (const sent of ["gzip", "gzip, deflate, br", "br;q=1, gzip;q=0.5", "*"]) {
      const res = await viaPlatform(path, sent);
      expect(res.headers.get("content-encoding"), sent).toBe("gzip");
      expect(res.headers.get("vary")).toBe("accept-encoding");
      expect(await res.text()).toBe(plain); // the test runtime inflates gzip for the caller, as HTTP clients do
    }
  });

  it("without cf data (a direct call) reads the header itself; no header → plain", async () => {
    const path = await feedPath();
    const none = await worker.fetch(`http://localhost${path}`);
    expect(none.headers.get("content-encoding")).toBeNull();
    expect(isGzip(await none.arrayBuffer())).toBe(false);
    const gz = await worker.fetch(`http://localhost${path}`, { headers: { "accept-encoding": "gzip" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
  });

  it.each([
    [null, false],
    ["", false],
    ["identity", false],
    ["gzip", true],
    ["GZIP", true],
    ["x-gzip", true],
    ["br", false],
    ["gzip;q=0", false],
    ["gzip; q=0.001", true],
    ["*;q=0", false],
    ["*", true],
    ["deflate, gzip;q=0.2", true],
  ] as const)("acceptsGzip(%j) → %s", (header, want) => {
    expect(acceptsGzip(header)).toBe(want);
  });

  it("prefers cf.clientAcceptEncoding (the client's own) over the rewritten header", () => {
    const req = (cf: unknown) => new Request("http://x/", { headers: { "accept-encoding": "br, gzip" }, ...(cf ? { cf } : {}) } as RequestInit);
    expect(clientAcceptEncoding(req({ clientAcceptEncoding: "" }))).toBe("");
    expect(clientAcceptEncoding(req({ clientAcceptEncoding: "identity" }))).toBe("identity");
    expect(clientAcceptEncoding(req(undefined))).toBe("br, gzip");
  });
});
