// Graph's answer shapes, shared by the emulator's modules: the error envelope
// ({error: {code, message}}) and Graph-looking ids.
import { json, rand } from "./identity";

export const gerr = (status: number, code: string, message: string, headers: Record<string, string> = {}) => json({ error: { code, message } }, status, headers);
/** Graph-looking ids (base64url, long); immutable ids and regular ids are both opaque. */
export const graphId = () => "AAMk" + btoa(rand(24)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
