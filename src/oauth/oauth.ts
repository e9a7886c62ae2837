// The OAuth 2.1 authorization server and resource-server checks of this one function, behind the small hook
// src/protocol/http.ts calls (OAuthHook): the OAuth paths, the access-token check on /mcp, and the 401 challenge.
// https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization
import type { HttpRequest, HttpResponse, OAuthHook } from "../protocol/http.ts";
import type { RequestLog } from "../protocol/log.ts";
import { verifyAccessToken } from "./access-token.ts";
import {
  AUTHORIZATION_SERVER_METADATA_PATH,
  baseUrlFor,
  type Endpoints,
  endpointsFor,
  MCP_PATH,
  MEMORY_SCOPE,
  RESOURCE_METADATA_PATH,
} from "./base-url.ts";
import type { MetadataFetch } from "./client-metadata-document.ts";
import type { FlowEndpoint, Flows } from "./flows.ts";
import { authorizationServerMetadata, protectedResourceMetadata } from "./metadata.ts";
import { SigningKeyRing } from "./signing-keys.ts";
import type { OAuthStore } from "./store.ts";
import { methodNotAllowed, oauthError, publicJsonResponse } from "./wire.ts";

export interface OAuthOptions {
  store: OAuthStore;
  /** The API key digests: the consent page accepts the same keys as /mcp. */
  keyDigests: readonly Buffer[];
  /** A checked origin (./base-url.ts parsePublicBaseUrl); undefined derives it from each request. */
  publicBaseUrl?: string | undefined;
  /** Epoch ms; tests move it forward to expire tokens. */
  now?: () => number;
  wrongKeyDelayMs?: number;
  /** The network hop of Client ID Metadata Documents; tests point it at a local fixture server. */
  fetchClientMetadata?: MetadataFetch;
}

type Endpoint = "resource-metadata" | "authorization-server-metadata" | FlowEndpoint;

// A Map, not an object literal: a path such as "__proto__" or "constructor" must not find a built-in member.
const PATHS: ReadonlyMap<string, Endpoint> = new Map([
  // RFC 9728 §3.1: the path-aware location for the resource <base>/mcp, and the root one that clients try
  // next (MCP authorization "Protected Resource Metadata Discovery Requirements").
  [`${RESOURCE_METADATA_PATH}${MCP_PATH}`, "resource-metadata"],
  [RESOURCE_METADATA_PATH, "resource-metadata"],
  [AUTHORIZATION_SERVER_METADATA_PATH, "authorization-server-metadata"],
  ["/authorize", "authorize"],
  ["/token", "token"],
  ["/register", "register"],
]);

export function createOAuth(options: OAuthOptions): OAuthHook {
  const { store, keyDigests, publicBaseUrl } = options;
  const now = options.now ?? Date.now;
  const keys = new SigningKeyRing(store, now);
  // Loaded on the first register, authorize or token request (./flows.ts), from the function's own package.
  let flows: Promise<Flows> | undefined;
  function loadFlows(): Promise<Flows> {
    flows ??= import("./flows.ts").then((module) =>
      module.createFlows({
        store,
        keys,
        keyDigests,
        now,
        wrongKeyDelayMs: options.wrongKeyDelayMs,
        fetchClientMetadata: options.fetchClientMetadata,
      }),
    );
    return flows;
  }

  async function serve(
    endpoint: Endpoint,
    request: HttpRequest,
    log: RequestLog,
    endpoints: Endpoints,
  ): Promise<HttpResponse> {
    switch (endpoint) {
      case "resource-metadata":
        if (request.method !== "GET") return methodNotAllowed("GET");
        return publicJsonResponse(protectedResourceMetadata(endpoints));
      case "authorization-server-metadata":
        if (request.method !== "GET") return methodNotAllowed("GET");
        return publicJsonResponse(authorizationServerMetadata(endpoints));
      default:
        return (await loadFlows())(endpoint, request, log, endpoints);
    }
  }

  return {
    async handle(request: HttpRequest, log: RequestLog): Promise<HttpResponse | undefined> {
      const endpoint = PATHS.get(request.path);
      if (endpoint === undefined) return undefined;
      log.endpoint = endpoint;
      const baseUrl = baseUrlFor(request, publicBaseUrl);
      if (baseUrl === undefined)
        return oauthError(400, "invalid_request", "the request has no usable Host header");
      try {
        return await serve(endpoint, request, log, endpointsFor(baseUrl));
      } catch (error) {
        // The flows answer their own faults (./flows.ts); this is anything else, such as their module failing
        // to load: no internal detail, the log names the error's type.
        log.error = error instanceof Error ? error.name : typeof error;
        return oauthError(500, "server_error", "the server could not handle this request; try again shortly");
      }
    },

    async acceptsAccessToken(token: string, request: HttpRequest): Promise<boolean> {
      const baseUrl = baseUrlFor(request, publicBaseUrl);
      if (baseUrl === undefined) return false;
      const { issuer, resource } = endpointsFor(baseUrl);
      const check = await verifyAccessToken(token, { keys, issuer, resource, nowMs: now() });
      return check.ok;
    },

    challenge(request: HttpRequest, presentedBearer: boolean): string {
      const baseUrl = baseUrlFor(request, publicBaseUrl);
      if (baseUrl === undefined) return "Bearer";
      // RFC 6750 §3: error="invalid_token" when a token was sent; scope guides the client (MCP "Scope
      // Selection Strategy"); resource_metadata is RFC 9728 §5.1.
      const error = presentedBearer ? 'error="invalid_token", ' : "";
      return `Bearer ${error}resource_metadata="${endpointsFor(baseUrl).resourceMetadata}", scope="${MEMORY_SCOPE}"`;
    },
  };
}
