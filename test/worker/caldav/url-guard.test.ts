// The CalDAV URL guard, table-driven: which server URLs and redirects the Worker may call.
import { describe, expect, it } from "vitest";
import { checkRedirect, checkServerUrl, registrableDomain } from "../../../worker/providers/caldav/url-guard";

const prod = {};
const test = { CALDAV_ALLOW_HTTP_LOOPBACK: "1" };

describe("checkServerUrl", () => {
  const cases: [string, object, boolean][] = [
    ["https://caldav.icloud.com/", prod, true],
    ["https://caldav.fastmail.com/dav/calendars", prod, true],
    ["https://cloud.clinic.example.co.uk/remote.php/dav", prod, true],
    ["http://caldav.icloud.com/", prod, false], // http on a public host, even with the flag
    ["http://caldav.icloud.com/", test, false],
    ["http://127.0.0.1:5232/", prod, false], // loopback without the flag
    ["http://127.0.0.1:5232/", test, true],
    ["http://localhost:5232/", test, true],
    ["http://[::1]:5232/", test, true],
    ["https://localhost/", prod, false],
    ["https://10.1.2.3/", prod, false],
    ["https://172.16.0.1/", prod, false],
    ["https://172.32.0.1/", prod, true], // outside 172.16/12
    ["https://192.168.1.10/", prod, false],
    ["https://169.254.169.254/latest/meta-data", prod, false], // cloud metadata (link-local)
    ["https://100.64.0.1/", prod, false], // CGNAT
    ["https://0.0.0.0/", prod, false],
    ["https://[fe80::1]/", prod, false],
    ["https://[fd00::1]/", prod, false],
    ["https://[::ffff:10.0.0.1]/", prod, false],
    ["https://intranet/", prod, false], // single label
    ["https://nas.local/", prod, false],
    ["https://db.internal/", prod, false],
    ["https://u:p@caldav.icloud.com/", prod, false],
    ["ftp://caldav.icloud.com/", prod, false],
    ["file:///etc/passwd", test, false],
    ["not a url", prod, false],
  ];
  for (const [url, env, ok] of cases)
    it(`${ok ? "allows" : "refuses"} ${url}${env === test ? " (test flag)" : ""}`, () => {
      if (ok) expect(() => checkServerUrl(url, env)).not.toThrow();
      else expect(() => checkServerUrl(url, env)).toThrow();
    });
});

describe("checkRedirect", () => {
  const from = new URL("https://caldav.icloud.com/123/principal/");
  const cases: [string, string[], boolean][] = [
    ["https://p42-caldav.icloud.com/123/calendars/", [], true], // same registrable domain
    ["https://caldav.icloud.com/other/", [], true],
    ["https://evil.example/", [], false],
    ["https://icloud.com.evil.example/", [], false],
    ["http://p42-caldav.icloud.com/", [], false], // https → http
    ["https://dav.fastmail.com/", ["https://dav.fastmail.com"], true], // a server discovery settled on
    ["https://10.0.0.1/", ["https://10.0.0.1"], false], // still guarded
  ];
  for (const [to, allowed, ok] of cases)
    it(`${ok ? "follows" : "refuses"} → ${to}`, () => {
      if (ok) expect(checkRedirect(from, to, prod, allowed).href).toBe(new URL(to).href);
      else expect(() => checkRedirect(from, to, prod, allowed)).toThrow();
    });

  it("registrable domains", () => {
    expect(registrableDomain("p42-caldav.icloud.com")).toBe("icloud.com");
    expect(registrableDomain("cloud.clinic.co.uk")).toBe("clinic.co.uk");
    expect(registrableDomain("example.com")).toBe("example.com");
  });
});
