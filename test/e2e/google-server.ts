// The Google emulator (test/fakes/google/emulator.ts, written from Google's docs) served over
// real HTTP for the browser tests, so `wrangler dev` talks to it through the GOOGLE_* base URLs
// exactly as production talks to Google. The consent page is the only part a person would see:
// here it consents at once for the one e2e Google account and redirects back to our callback.
// Test controls (not Google's API): POST /__e2e/revoke — the user removes ACMS' access in their
// Google account (refresh token → invalid_grant, access tokens dead).
import { createServer, type Server } from "node:http";
import { GoogleEmulator } from "../fakes/google/emulator";

export const E2E_GOOGLE_ACCOUNT = "cuddy.calendar@gmail.test";
export const E2E_GOOGLE_CLIENT = { clientId: "e2e-client.apps.googleusercontent.com", clientSecret: "e2e-client-secret" };

export async function startGoogle(port: number): Promise<{ server: Server; emulator: GoogleEmulator }> {
  const emulator = new GoogleEmulator(E2E_GOOGLE_CLIENT).addAccount(E2E_GOOGLE_ACCOUNT);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
      if (url.pathname === "/o/oauth2/v2/auth") {
        const back = await emulator.consent(url.toString(), E2E_GOOGLE_ACCOUNT);
        res.writeHead(302, { location: back.toString() }).end();
        return;
      }
      if (url.pathname === "/__e2e/revoke" && req.method === "POST") {
        emulator.revokeAll(E2E_GOOGLE_ACCOUNT);
        res.writeHead(204).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const method = req.method ?? "GET";
      const answer = await emulator.handle(new Request(url, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks) }));
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, emulator };
}
