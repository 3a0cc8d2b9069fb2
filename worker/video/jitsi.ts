// Jitsi Meet links for video visits. A Jitsi meeting is just a URL; on a public server anyone
// who knows the room name can join, so the room name is the secret: 128 bits of randomness.
// A self-hosted Jitsi that requires a token gets ?jwt=… (HS256 with the server's app secret,
// signed with jose, the JWT library the Worker already uses for sessions) when the link is
// shown or sent, so the stored URL itself never carries a credential.
import { SignJWT } from "jose";

export const DEFAULT_JITSI_BASE = "https://meet.jit.si";

function randomRoom(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return "acms-" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** A new meeting URL on the clinic's Jitsi server (https only; anything else falls back to the public one). */
export function newJitsiUrl(base: string | null | undefined): string {
  let root = DEFAULT_JITSI_BASE;
  try {
    const u = new URL(base || DEFAULT_JITSI_BASE);
    if (u.protocol === "https:") root = u.origin + u.pathname.replace(/\/+$/, "");
  } catch {
    /* keep the default */
  }
  return `${root}/${randomRoom()}`;
}

export interface JitsiJwtConfig {
  appId: string;
  secret: string;
}

/** The join URL as handed out: with a JWT valid until an hour after the visit when the server requires one. */
export async function joinUrl(stored: string, endMs: number, jwt: JitsiJwtConfig | null): Promise<string> {
  if (!jwt) return stored;
  const u = new URL(stored);
  const room = u.pathname.split("/").filter(Boolean).pop() ?? "";
  const token = await new SignJWT({ room })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setAudience("jitsi")
    .setIssuer(jwt.appId)
    .setSubject(u.hostname)
    .setExpirationTime(Math.floor(endMs / 1000) + 3600)
    .sign(new TextEncoder().encode(jwt.secret));
  u.searchParams.set("jwt", token);
  return u.toString();
}
