// The OAuth flows a client runs while it connects: registration, the consent page and the token endpoint.
// src/oauth/oauth.ts imports this module on the first such request, so the Lambda's INIT does not compile
// them: about 25 KB of code (a third of the server's own) that a cold start serving /mcp never runs, and V8
// parses every module a bundle loads (docs/benchmarks/README.md).
import type { HttpRequest, HttpResponse } from "../protocol/http.ts";
import type { RequestLog } from "../protocol/log.ts";
import { KeyGuard, WRONG_KEY_DELAY_MS } from "../signin/key-guard.ts";
import { handleAuthorize } from "./authorize.ts";
import type { Endpoints } from "./base-url.ts";
import { ClientMetadataDocuments, fetchPublicHttps, type MetadataFetch } from "./client-metadata-document.ts";
import { ClientDirectory } from "./clients.ts";
import { errorPage } from "./consent-page.ts";
import { handleRegister } from "./register.ts";
import type { SigningKeyRing } from "./signing-keys.ts";
import type { OAuthStore } from "./store.ts";
import { handleToken } from "./token.ts";
import { oauthError } from "./wire.ts";

export type FlowEndpoint = "register" | "authorize" | "token";

export interface FlowOptions {
  store: OAuthStore;
  keys: SigningKeyRing;
  keyDigests: readonly Buffer[];
  now: () => number;
  wrongKeyDelayMs?: number | undefined;
  fetchClientMetadata?: MetadataFetch | undefined;
}

/** Answers one flow request; a server fault becomes a 500 without internal detail (the log names its type). */
export type Flows = (
  endpoint: FlowEndpoint,
  request: HttpRequest,
  log: RequestLog,
  endpoints: Endpoints,
) => Promise<HttpResponse>;

export function createFlows(options: FlowOptions): Flows {
  const { store, keys, keyDigests, now } = options;
  const digestsHex: ReadonlySet<string> = new Set(keyDigests.map((digest) => digest.toString("hex")));
  const documents = new ClientMetadataDocuments(options.fetchClientMetadata ?? fetchPublicHttps, now);
  const clients = new ClientDirectory(store, documents, now);
  const guard = new KeyGuard(store, now);
  const wrongKeyDelayMs = options.wrongKeyDelayMs ?? WRONG_KEY_DELAY_MS;

  function serve(
    endpoint: FlowEndpoint,
    request: HttpRequest,
    log: RequestLog,
    endpoints: Endpoints,
  ): Promise<HttpResponse> {
    switch (endpoint) {
      case "register":
        return handleRegister(request, log, { store, now });
      case "authorize":
        return handleAuthorize(request, log, {
          endpoints,
          clients,
          keys,
          guard,
          store,
          keyDigests,
          now,
          wrongKeyDelayMs,
        });
      case "token":
        return handleToken(request, log, { keyDigests: digestsHex, endpoints, clients, keys, store, now });
    }
  }

  return async (endpoint, request, log, endpoints) => {
    try {
      return await serve(endpoint, request, log, endpoints);
    } catch (error) {
      log.error = error instanceof Error ? error.name : typeof error;
      return serverFault(endpoint);
    }
  };
}

/** A server fault (the database, most likely), phrased for whoever reads the endpoint's answers. */
function serverFault(endpoint: FlowEndpoint): HttpResponse {
  return endpoint === "authorize"
    ? errorPage(500, "Something went wrong", "The server could not handle this request. Try again shortly.")
    : oauthError(500, "server_error", "the server could not handle this request; try again shortly");
}
