// OAuth tokens and provider credentials are sealed with AES-256-GCM before they
// touch D1. Keys come from the TOKEN_KEYS secret (JSON: key id → base64 32-byte key);
// the sealed string names its key id so keys can rotate: new seals use
// TOKEN_KEY_CURRENT, old seals still open with their own key.
// Format: "v1.<keyId>.<iv b64url>.<ciphertext+tag b64url>". The integration id is
// bound as additional data, so a sealed blob copied to another row will not open.
import { base64url } from "../ids";

export interface SealKeys {
  current: string;
  keys: Record<string, string>;
}

export function sealKeysFromEnv(env: { TOKEN_KEYS?: string; TOKEN_KEY_CURRENT?: string }): SealKeys {
  if (!env.TOKEN_KEYS || !env.TOKEN_KEY_CURRENT) throw new Error("TOKEN_KEYS / TOKEN_KEY_CURRENT secrets are not set");
  const keys = JSON.parse(env.TOKEN_KEYS) as Record<string, string>;
  if (!keys[env.TOKEN_KEY_CURRENT]) throw new Error(`TOKEN_KEY_CURRENT "${env.TOKEN_KEY_CURRENT}" is not in TOKEN_KEYS`);
  return { current: env.TOKEN_KEY_CURRENT, keys };
}

function fromB64url(s: string): Uint8Array<ArrayBuffer> {
  const b = s.replaceAll("-", "+").replaceAll("_", "/");
  return Uint8Array.from(atob(b + "=".repeat((4 - (b.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

const imported = new Map<string, Promise<CryptoKey>>();
function importKey(b64: string): Promise<CryptoKey> {
  let k = imported.get(b64);
  if (!k) {
    const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    if (raw.length !== 32) throw new Error("token sealing keys must be 32 bytes (AES-256)");
    k = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    imported.set(b64, k);
  }
  return k;
}

export async function seal(plaintext: string, aad: string, keys: SealKeys): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await importKey(keys.keys[keys.current]);
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(aad) },
    key,
    new TextEncoder().encode(plaintext),
  );
  return `v1.${keys.current}.${base64url(iv)}.${base64url(new Uint8Array(ct))}`;
}

export async function unseal(sealed: string, aad: string, keys: SealKeys): Promise<string> {
  const [v, kid, iv, ct] = sealed.split(".");
  if (v !== "v1" || !kid || !iv || !ct) throw new Error("not a sealed token");
  const raw = keys.keys[kid];
  if (!raw) throw new Error(`sealing key "${kid}" is no longer configured`);
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromB64url(iv), additionalData: new TextEncoder().encode(aad) },
    await importKey(raw),
    fromB64url(ct),
  );
  return new TextDecoder().decode(pt);
}

/** True when the sealed value was made with a key other than the current one (re-seal on next write). */
export function needsReseal(sealed: string, keys: SealKeys): boolean {
  return sealed.split(".")[1] !== keys.current;
}
