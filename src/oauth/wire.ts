// The OAuth endpoints' wire formats: JSON answers and OAuth error bodies (RFC 6749 §5.2), form bodies
// (application/x-www-form-urlencoded, each parameter at most once: RFC 6749 §3.1) and redirects.
import type { HttpResponse } from "../protocol/http.ts";

/** Token and registration answers carry credentials: never cached (RFC 6749 §5.1). */
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers: { "content-type": "application/json", ...NO_STORE, ...headers },
    body: JSON.stringify(body),
  };
}

/** Public, cacheable JSON (the discovery documents). */
export function publicJsonResponse(body: unknown): HttpResponse {
  return {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "public, max-age=300" },
    body: JSON.stringify(body),
  };
}

export function oauthError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): HttpResponse {
  return jsonResponse(status, { error, error_description: description }, headers);
}

export function methodNotAllowed(allow: string): HttpResponse {
  return oauthError(405, "invalid_request", `Method Not Allowed: use ${allow}`, { allow });
}

/**
 * 302 answers a GET; 303 answers the consent form's POST, so that the browser follows with a GET and never
 * re-sends the form (and its API key) to the client's redirect URI.
 */
export function redirect(status: 302 | 303, location: string): HttpResponse {
  return { status, headers: { location, "cache-control": "no-store" }, body: "" };
}

export type Params = ReadonlyMap<string, string>;

export type ParamsResult = { ok: true; params: Params } | { ok: false; error: string };

/** Parses a query string or a form body; a repeated parameter is an error, not a silent pick. */
export function parseParams(text: string): ParamsResult {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (params.has(name)) return { ok: false, error: `the parameter "${name}" appears more than once` };
    params.set(name, value);
  }
  return { ok: true, params };
}

export function isFormContentType(contentType: string | undefined): boolean {
  return contentType?.split(";", 1)[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}
