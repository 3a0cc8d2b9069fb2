// Dev server only (`npm run dev` = vite dev): keep a Worker's Content-Encoding on the wire.
//
// @cloudflare/vite-plugin answers each request with Miniflare#dispatchFetch(), whose undici
// fetch decodes a gzip (deflate, br) body, moves the Worker's `Content-Encoding` to
// `MF-Content-Encoding` and leaves the compressed `Content-Length` in place; the plugin then
// writes those headers and the decoded body. A feed sent as gzip (worker/ics/feed.ts) therefore
// reached clients unlabelled and cut at the compressed length (issue 17: 8,727 of 84,269 bytes),
// and the rest of the body corrupted the keep-alive connection. `wrangler dev` and production do
// not do this: wrangler's own server re-encodes such a body (miniflare's #writeResponse), and this
// plugin does the same for Vite: restore `Content-Encoding`, drop the stale `Content-Length`, and
// compress the decoded body again with node:zlib. Nothing here is deployed.
import type { ServerResponse } from "node:http";
import zlib from "node:zlib";
import type { Plugin } from "vite";

type Encoder = zlib.Gzip | zlib.Deflate | zlib.BrotliCompress;

/** The encoder for a Content-Encoding value; null for anything zlib cannot produce (left alone). */
export function encoderFor(coding: string): Encoder | null {
  const c = coding.trim().toLowerCase();
  if (c === "gzip" || c === "x-gzip") return zlib.createGzip();
  if (c === "deflate") return zlib.createDeflate();
  if (c === "br") return zlib.createBrotliCompress();
  return null;
}

function reencode(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const headers = rest.find((x) => x && typeof x === "object" && !Array.isArray(x)) as Record<string, unknown> | undefined;
    const key = headers && Object.keys(headers).find((k) => k.toLowerCase() === "mf-content-encoding");
    const encoder = key ? encoderFor(String(headers![key])) : null;
    if (!headers || !key || !encoder) return writeHead(status, ...rest);
    const coding = String(headers[key]);
    delete headers[key];
    for (const k of Object.keys(headers)) if (k.toLowerCase() === "content-length") delete headers[k];
    headers["content-encoding"] = coding;
    const write = res.write.bind(res) as (c: unknown) => boolean;
    const end = res.end.bind(res) as () => ServerResponse;
    encoder.on("data", (chunk: Buffer) => write(chunk));
    encoder.on("end", () => end());
    // The plugin writes the whole body and then ends; zlib buffers it, so never ask it to wait.
    res.write = ((chunk: unknown) => (encoder.write(chunk as Buffer), true)) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      if (chunk && typeof chunk !== "function") encoder.write(chunk as Buffer);
      encoder.end();
      return res;
    }) as typeof res.end;
    return writeHead(status, ...rest);
  }) as typeof res.writeHead;
}

export function devContentEncoding(): Plugin {
  return {
    name: "acms:dev-content-encoding",
    enforce: "pre",
    configureServer(server) {
      server.middlewares.use((_req, res, next) => {
        reencode(res);
        next();
      });
    },
  };
}
