// The URL guard (worker/net/safe-fetch.ts) against server-side request forgery: the
// address list of the probe, every redirect hop re-checked (a public URL that redirects
// to loopback or the metadata address is refused before that hop is requested), caps on
// redirects and bytes, credentials not carried to another origin, and the calendar URL
// import using it. The network is a test fetch router (as test/fakes/google/router.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkDestination, safeFetch, UnsafeUrlError } from "../../../worker/net/safe-fetch";
import { authed, makeClinic } from "../../helpers";

const REFUSED = [
  // loopback in every spelling
  "https://127.0.0.1/x.ics",
  "https://127.1/",
  "https://127.255.255.254/",
  "https://2130706433/",
  "https://0x7f000001/",
  "https://0177.0.0.1/",
  "https://0x7f.0.0.1/",
  "https://[::1]/",
  "https://[0:0:0:0:0:0:0:1]/",
  "https://[::ffff:127.0.0.1]/",
  "https://[::ffff:7f00:1]/",
  "https://[::127.0.0.1]/",
  "https://localhost/",
  "https://LOCALHOST./",
  "https://app.localhost/",
  // private, link-local, CGNAT, unspecified, metadata
  "https://10.0.0.1/",
  "https://10.255.255.255/",
  "https://172.16.0.1/",
  "https://172.31.255.255/",
  "https://192.168.1.1/",
  "https://169.254.169.254/latest/meta-data/",
  "https://100.64.0.1/",
  "https://100.127.255.254/",
  "https://0.0.0.0/",
  "https://0/",
  "https://[::]/",
  "https://[fc00::1]/",
  "https://[fd12:3456:789a::1]/",
  "https://[fe80::1]/",
  "https://[::ffff:10.0.0.1]/",
  "https://[::ffff:169.254.169.254]/",
  "https://[64:ff9b::a00:1]/",
  "https://[2002:7f00:1::]/",
  "https://metadata.google.internal/computeMetadata/v1/",
  "https://metadata.google.internal./",
  "https://anything.internal/",
  "https://printer.local/",
  "https://router.home.arpa/",
  "https://intranet/",
  "https://metadata/",
  // multicast, broadcast, reserved
  "https://224.0.0.1/",
  "https://255.255.255.255/",
  "https://240.0.0.1/",
  "https://[ff02::1]/",
  // scheme and credentials
  "http://example.com/cal.ics",
  "ftp://example.com/cal.ics",
  "file:///etc/passwd",
  "https://user:secret@example.com/cal.ics",
  "not a url",
];

const ALLOWED = [
  "https://example.com/cal.ics",
  "https://calendar.google.com/calendar/ical/x/basic.ics",
  "https://8.8.8.8/",
  "https://172.32.0.1/",
  "https://172.15.255.255/",
  "https://100.128.0.1/",
  "https://11.0.0.1/",
  "https://[2606:4700:4700::1111]/",
  "https://example.com:8443/dav/",
];

describe("checkDestination", () => {
  it.each(REFUSED)("refuses %s", (url) => {
    expect(() => checkDestination(url)).toThrow(UnsafeUrlError);
  });

  it.each(ALLOWED)("allows %s", (url) => {
    expect(checkDestination(url).href).toBeTruthy();
  });

  it("with the dev/test option: loopback (http or https) is allowed, nothing else private, and no plain http elsewhere", () => {
    const dev = { allowLoopback: true };
    for (const url of ["http://127.0.0.1:8787/x", "http://localhost:3000/", "https://[::1]:8443/", "http://2130706433/"]) expect(() => checkDestination(url, dev)).not.toThrow();
    for (const url of ["http://10.0.0.1/", "https://169.254.169.254/", "http://example.com/", "https://[::ffff:127.0.0.1]/"]) expect(() => checkDestination(url, dev)).toThrow(UnsafeUrlError);
  });

  it("messages say what was refused without echoing a secret", () => {
    try {
      checkDestination("https://user:hunter2@example.com/");
    } catch (e) {
      expect((e as Error).message).not.toContain("hunter2");
    }
    expect(() => checkDestination("https://169.254.169.254/")).toThrow(/169\.254\.169\.254.*not a public internet address \(linkLocal\)/);
  });
});

// ---------------------------------------------------------------------------
// safeFetch over a test network
// ---------------------------------------------------------------------------

type Handler = (req: Request) => Response | Promise<Response>;
const requested: string[] = [];
let original: typeof fetch;
let routes: Record<string, Handler> = {};

function install() {
  original = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input as RequestInfo, init);
    requested.push(req.url);
    const u = new URL(req.url);
    const h = routes[`${u.host}${u.pathname}`];
    return h ? h(req) : new Response("no route", { status: 599 });
  }) as typeof fetch;
}

const redirect = (to: string, status = 302): Handler => () => new Response(null, { status, headers: { location: to } });

beforeEach(() => {
  requested.length = 0;
  routes = {};
  install();
});
afterEach(() => {
  globalThis.fetch = original;
});

describe("safeFetch: every redirect hop is checked", () => {
  it.each([
    ["http://127.0.0.1/secret"],
    ["https://127.0.0.1/secret"],
    ["https://169.254.169.254/latest/meta-data/"],
    ["https://[::1]/"],
    ["https://localhost:8787/api/auth/me"],
    ["https://metadata.google.internal/computeMetadata/v1/"],
    ["https://10.0.0.8/"],
  ])("a public URL that redirects to %s is refused before that hop is requested", async (target) => {
    routes["public.test/cal.ics"] = redirect(target);
    await expect(safeFetch("https://public.test/cal.ics")).rejects.toThrow(UnsafeUrlError);
    expect(requested).toEqual(["https://public.test/cal.ics"]);
  });

  it("a relative redirect and a chain of public hops are followed; the final answer is returned", async () => {
    routes["a.test/one"] = redirect("/two", 301);
    routes["a.test/two"] = redirect("https://b.test/three", 307);
    routes["b.test/three"] = () => new Response("BEGIN:VCALENDAR", { headers: { "content-type": "text/calendar" } });
    const res = await safeFetch("https://a.test/one");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("BEGIN:VCALENDAR");
    expect(requested).toEqual(["https://a.test/one", "https://a.test/two", "https://b.test/three"]);
  });

  it("stops after 5 redirects", async () => {
    routes["loop.test/a"] = redirect("/b");
    routes["loop.test/b"] = redirect("/a");
    const err = await safeFetch("https://loop.test/a").catch((e) => e);
    expect(err).toBeInstanceOf(UnsafeUrlError);
    expect(err.reason).toBe("too_many_redirects");
    expect(requested).toHaveLength(6);
  });

  it("refuses a redirect from https to http, and one without Location", async () => {
    routes["a.test/down"] = redirect("http://a.test/plain");
    routes["a.test/empty"] = () => new Response(null, { status: 302 });
    await expect(safeFetch("https://a.test/down")).rejects.toThrow(UnsafeUrlError);
    await expect(safeFetch("https://a.test/empty")).rejects.toThrow(/without a Location/);
  });

  it("does not carry credentials to another origin on a redirect (but keeps them on the same origin)", async () => {
    const seen: Record<string, string | null> = {};
    routes["dav.test/a"] = redirect("/b");
    routes["dav.test/b"] = (req) => ((seen.same = req.headers.get("authorization")), redirect("https://other.test/c")(req));
    routes["other.test/c"] = (req) => ((seen.other = req.headers.get("authorization")), new Response("ok"));
    await safeFetch("https://dav.test/a", { headers: { authorization: "Basic c2VjcmV0" } });
    expect(seen).toEqual({ same: "Basic c2VjcmV0", other: null });
  });

  it("caps the bytes read: the body stream errors past maxBytes", async () => {
    routes["big.test/x"] = () => new Response("x".repeat(10_000));
    const res = await safeFetch("https://big.test/x", {}, { maxBytes: 1000 });
    await expect(res.text()).rejects.toThrow(/larger than 1000 bytes/);
    routes["big.test/ok"] = () => new Response("x".repeat(1000));
    expect((await (await safeFetch("https://big.test/ok", {}, { maxBytes: 1000 })).text()).length).toBe(1000);
  });

  it("gives up after the time budget", async () => {
    routes["slow.test/x"] = (req) =>
      new Promise((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason ?? new Error("aborted"))));
    const t0 = Date.now();
    await expect(safeFetch("https://slow.test/x", {}, { timeoutMs: 200 })).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("with a DNS-over-HTTPS resolver configured, a public name that resolves to a private address is refused", async () => {
    routes["dns.test/dns-query"] = (req) => {
      const u = new URL(req.url);
      const name = u.searchParams.get("name");
      const type = u.searchParams.get("type");
      const data = name === "evil.test" ? (type === "A" ? "10.0.0.5" : "fd00::5") : type === "A" ? "93.184.216.34" : "2606:2800:220:1::1";
      return Response.json({ Status: 0, Answer: [{ type: type === "A" ? 1 : 28, data }] });
    };
    routes["evil.test/cal.ics"] = () => new Response("should never be fetched");
    routes["good.test/cal.ics"] = () => new Response("ok");
    const opts = { dohUrl: "https://dns.test/dns-query" };
    await expect(safeFetch("https://evil.test/cal.ics", {}, opts)).rejects.toThrow(/10\.0\.0\.5/);
    expect(requested.some((u) => u.startsWith("https://evil.test"))).toBe(false);
    expect(await (await safeFetch("https://good.test/cal.ics", {}, opts)).text()).toBe("ok");
  });
});

describe("the calendar URL import uses the guard", () => {
  it("refuses loopback, private and metadata URLs and redirects to them (422 naming url), requesting nothing private", async () => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const d = f.doctors[0];
    routes["calendar.test/moved.ics"] = redirect("https://127.0.0.1:8787/api/auth/me");
    routes["calendar.test/meta.ics"] = redirect("https://169.254.169.254/latest/meta-data/");
    const api = authed(d.token);
    const path = `/api/doctors/${d.doctor.id}/import/ics?preview=1`;
    for (const url of [
      "https://127.0.0.1/x.ics",
      "https://localhost/x.ics",
      "https://[::1]/x.ics",
      "https://169.254.169.254/latest/meta-data/",
      "https://10.1.2.3/cal.ics",
      "https://2130706433/x.ics",
      "https://metadata.google.internal/x",
      "webcal://192.168.0.10/cal.ics",
      "https://calendar.test/moved.ics",
      "https://calendar.test/meta.ics",
    ]) {
      const res = await api.post(path, { url });
      expect(res.status, url).toBe(422);
      const body = await res.json<any>();
      expect(body.error.details[0].path).toBe("url");
    }
    expect(requested.every((u) => u.startsWith("https://calendar.test/"))).toBe(true);
  });
});
