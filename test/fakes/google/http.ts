// Google's answer shapes, shared by the emulator's modules: the Calendar API error
// envelope ({error: {code, message, errors: [{domain, reason, message}]}}), JSON bodies,
// OAuth errors ({error, error_description}), and random ids/tokens.

export const err = (code: number, reason: string, message: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error: { code, message, errors: [{ domain: "global", reason, message }] } }), {
    status: code,
    headers: { "content-type": "application/json", ...headers },
  });
export const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
export const oauthErr = (error: string, description: string, status = 400) =>
  new Response(JSON.stringify({ error, error_description: description }), { status, headers: { "content-type": "application/json" } });

export function rand(n = 16) {
  return [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
