// One error type and one JSON shape for every failure the API reports:
// { "error": { "code", "message", "details"? } } with the matching 4xx/5xx.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, "bad_request", message, details);
export const validationError = (message: string, details?: unknown) =>
  new ApiError(422, "validation_failed", message, details);
export const unauthorized = (message = "Log in to continue.") => new ApiError(401, "unauthorized", message);
export const forbidden = (message = "You are not allowed to do that.") => new ApiError(403, "forbidden", message);
export const notFound = (what = "Resource") => new ApiError(404, "not_found", `${what} not found.`);
export const conflict = (code: string, message: string, details?: unknown) => new ApiError(409, code, message, details);

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
