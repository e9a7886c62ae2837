// The public base URL (OAuth issuer) and the URLs derived from it. It comes from PUBLIC_BASE_URL when set
// (a custom domain in front of the function), else from the request: on a Lambda Function URL the Host
// header is the function URL's own domain and x-forwarded-proto is set by AWS. The local server always
// sets PUBLIC_BASE_URL (http://127.0.0.1:<port>), so a Host header never decides anything there.
import type { HttpRequest } from "../protocol/http.ts";

/** The scope every token carries: full use of the memory tools. One scope, always granted. */
export const MEMORY_SCOPE = "memory";
export const MCP_PATH = "/mcp";
export const RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource";
export const AUTHORIZATION_SERVER_METADATA_PATH = "/.well-known/oauth-authorization-server";

export interface Endpoints {
  /** The base URL itself, without a trailing slash (RFC 8414 §2: no query, no fragment). */
  issuer: string;
  /** The canonical URI of the MCP server (RFC 8707 §2, MCP authorization "Canonical Server URI"). */
  resource: string;
  /** RFC 9728 §3.1: the well-known suffix inserted before the resource's path. */
  resourceMetadata: string;
  authorizationServerMetadata: string;
  authorize: string;
  token: string;
  register: string;
}

export type BaseUrlResult = { ok: true; baseUrl: string } | { ok: false; error: string };

/** Validates PUBLIC_BASE_URL: an http(s) origin, nothing after it. */
export function parsePublicBaseUrl(value: string): BaseUrlResult {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { ok: false, error: "PUBLIC_BASE_URL is not a URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { ok: false, error: "PUBLIC_BASE_URL must start with https:// (or http:// for loopback)" };
  if (
    url.username !== "" ||
    url.password !== "" ||
    url.search !== "" ||
    url.hash !== "" ||
    url.pathname !== "/"
  )
    return { ok: false, error: "PUBLIC_BASE_URL must be an origin such as https://memory.example.com" };
  return { ok: true, baseUrl: url.origin };
}

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/** The base URL for this request, or undefined when the request has no usable Host. */
export function baseUrlFor(request: HttpRequest, configured: string | undefined): string | undefined {
  if (configured !== undefined) return configured;
  const host = request.headers.host?.trim().toLowerCase();
  if (host === undefined || !HOST.test(host)) return undefined;
  const forwarded = request.headers["x-forwarded-proto"]?.split(",")[0]?.trim().toLowerCase();
  const scheme = forwarded === "http" ? "http" : "https";
  return new URL(`${scheme}://${host}`).origin;
}

export function endpointsFor(baseUrl: string): Endpoints {
  return {
    issuer: baseUrl,
    resource: `${baseUrl}${MCP_PATH}`,
    resourceMetadata: `${baseUrl}${RESOURCE_METADATA_PATH}${MCP_PATH}`,
    authorizationServerMetadata: `${baseUrl}${AUTHORIZATION_SERVER_METADATA_PATH}`,
    authorize: `${baseUrl}/authorize`,
    token: `${baseUrl}/token`,
    register: `${baseUrl}/register`,
  };
}

/**
 * Whether a client's `resource` names this server. The canonical form is `<base>/mcp`; an upper-case scheme
 * or host and a trailing slash are tolerated, as the MCP authorization spec asks ("SHOULD accept").
 */
export function namesResource(value: string, endpoints: Endpoints): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash !== "" || value.includes("#") || url.search !== "" || url.username !== "") return false;
  const path = url.pathname.replace(/\/$/, "");
  return url.origin === endpoints.issuer && path === MCP_PATH;
}
