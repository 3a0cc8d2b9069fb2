// A free TCP port on 127.0.0.1 for a server the tests or benches start by number (wrangler dev,
// vite dev, Radicale). One helper for all of them: test/e2e, test/fakes/caldav and bench/.
//
// Why not simply listen(0) and close: that port comes from the kernel's ephemeral range, and
// between our close and the server's own bind any socket in the machine that binds port 0 or
// connects out can be handed the same number — workerd's internal RPC sockets, which `vite dev`
// starts before Vite listens, among them. A full run saw exactly that: Vite failed with
// "Port … is already in use" while our readiness probe was talking HTTP to workerd's capnp
// socket ("incoming RPC message exceeds size limit"). A port below the ephemeral range is never
// handed out implicitly, so only a server that asks for it by number can take it.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const LOWEST = 20_000;

/** The kernel's ephemeral range (Linux); elsewhere the IANA default. */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    // not Linux
  }
  return [49_152, 65_535];
}

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.unref();
    s.once("error", () => resolve(null));
    s.listen(port, "127.0.0.1", () => {
      const got = (s.address() as { port: number }).port;
      s.close(() => resolve(got));
    });
  });
}

export async function freePort(): Promise<number> {
  const [lo, hi] = ephemeralRange();
  // Ports between LOWEST and the ephemeral range, else above it; random so parallel callers differ.
  const below = lo - LOWEST;
  const above = 65_535 - hi;
  if (below >= 1_000 || above >= 1_000) {
    for (let i = 0; i < 50; i++) {
      const port = below >= above ? LOWEST + Math.floor(Math.random() * below) : hi + 1 + Math.floor(Math.random() * above);
      const got = await tryListen(port);
      if (got) return got;
    }
  }
  // No room outside the range (an unusual kernel setting): take any free port.
  const any = await tryListen(0);
  if (!any) throw new Error("no free TCP port on 127.0.0.1");
  return any;
}
