// Ids are 32 lower-case hex characters (a UUID without dashes). Hex is a subset
// of base32hex, so an appointment id is also a valid client-chosen Google event id.
export function newId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** A random secret of `bytes` bytes, base64url without padding (feed tokens, channel tokens). */
export function randomSecret(bytes = 24): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return base64url(b);
}

export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const x of bytes) s += String.fromCharCode(x);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export async function sha256Hex(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...d].map((x) => x.toString(16).padStart(2, "0")).join("");
}
