// The Graph + identity-platform emulator (test/fakes/microsoft/emulator.ts, written from
// Microsoft's docs) served over real HTTP for the browser tests, so `wrangler dev` talks to it
// through the MICROSOFT_* base URLs exactly as production talks to Microsoft. The sign-in page
// is the only part a person would see: here it consents at once for the one e2e account (a
// work account) and redirects back to our callback.
import { createServer, type Server } from "node:http";
import { GraphEmulator } from "../fakes/microsoft/emulator";

export const E2E_MICROSOFT_ACCOUNT = "cuddy@riverside-clinic.onmicrosoft.test";
export const E2E_MICROSOFT_CLIENT = { clientId: "e2e00000-0000-4000-8000-000000000001", clientSecret: "e2e-ms-client-secret" };

export async function startMicrosoft(port: number): Promise<{ server: Server; emulator: GraphEmulator }> {
  const emulator = new GraphEmulator(E2E_MICROSOFT_CLIENT).addAccount(E2E_MICROSOFT_ACCOUNT, { work: true });
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
      if (/^\/[^/]+\/oauth2\/v2\.0\/authorize$/.test(url.pathname)) {
        const back = await emulator.consent(url.toString(), E2E_MICROSOFT_ACCOUNT);
        res.writeHead(302, { location: back.toString() }).end();
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
