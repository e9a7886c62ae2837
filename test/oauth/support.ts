// Shared by the OAuth tests: the real app (createApp: HTTP rules, MCP, OAuth) on dynalite with a movable
// clock, requests shaped like a Function URL's (Host + x-forwarded-proto), and the steps of the flow.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createApp } from "../../src/app.ts";
import { createOAuthStore } from "../../src/dynamodb/oauth-store.ts";
import type { MemoryStore } from "../../src/memory/memory-store.ts";
import type { MetadataFetch } from "../../src/oauth/client-metadata-document.ts";
import type { OAuthStore } from "../../src/oauth/store.ts";
import { sha256Hex } from "../../src/protocol/auth.ts";
import type { HttpHandler, HttpRequest, HttpResponse } from "../../src/protocol/http.ts";
import { createLogger } from "../../src/protocol/log.ts";
import { TEST_API_KEY } from "../fixtures/events.ts";
import { createTestStore, type Dynalite } from "../helpers/dynalite.ts";

export const HOST = "memory.example.test";
export const BASE = `https://${HOST}`;
export const RESOURCE = `${BASE}/mcp`;
export const REDIRECT_URI = "https://client.example.test/callback";

export interface Harness {
  app: HttpHandler;
  store: OAuthStore;
  memoryStore: MemoryStore;
  tableName: string;
  /** Epoch ms of the app's clock; advance() moves it. */
  now(): number;
  advance(ms: number): void;
  /** Every log line written since the last call. */
  takeLogs(): Record<string, unknown>[];
  call(request: Partial<HttpRequest> & { method: string; path: string }): Promise<HttpResponse>;
}

export interface HarnessOptions {
  /** The accepted API keys (their digests reach the app); TEST_API_KEY by default. */
  apiKeys?: string[];
  /** Serve the table of an earlier harness, as a redeploy with other settings would. */
  sameTableAs?: Harness;
  wrongKeyDelayMs?: number;
  fetchClientMetadata?: MetadataFetch;
  /** PUBLIC_BASE_URL; by default the base URL comes from each request's Host. */
  publicBaseUrl?: string;
}

/** One dynalite per test file; each harness gets a fresh table. */
export async function startHarness(database: Dynalite, options: HarnessOptions = {}): Promise<Harness> {
  const { store: memoryStore, tableName } =
    options.sameTableAs === undefined
      ? await createTestStore(database)
      : { store: options.sameTableAs.memoryStore, tableName: options.sameTableAs.tableName };
  const store = createOAuthStore({ client: database.client, tableName });
  // A clock that stands still until advance() moves it: what a test reads from it is what the app read.
  let current = Date.now();
  const now = (): number => current;
  const lines: string[] = [];
  const app = createApp({
    env: {
      MCP_API_KEY_SHA256: (options.apiKeys ?? [TEST_API_KEY]).map(sha256Hex).join(","),
      ...(options.publicBaseUrl === undefined ? {} : { PUBLIC_BASE_URL: options.publicBaseUrl }),
    },
    store: memoryStore,
    defaultOrigins: [],
    logger: createLogger((line) => lines.push(line)),
    oauth: {
      store,
      now,
      wrongKeyDelayMs: options.wrongKeyDelayMs ?? 0,
      ...(options.fetchClientMetadata === undefined
        ? {}
        : { fetchClientMetadata: options.fetchClientMetadata }),
    },
  });
  return {
    app,
    store,
    memoryStore,
    tableName,
    now,
    advance(ms) {
      current += ms;
    },
    takeLogs() {
      return lines.splice(0, lines.length).map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    call(request) {
      return app({
        body: undefined,
        ...request,
        headers: { host: HOST, "x-forwarded-proto": "https", ...request.headers },
      });
    },
  };
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkcePair(): Pkce {
  const verifier = randomBytes(48).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  token_endpoint_auth_method: string;
  [field: string]: unknown;
}

export async function register(
  harness: Harness,
  metadata: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  const response = await harness.call({
    method: "POST",
    path: "/register",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Test Client",
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      ...metadata,
    }),
  });
  assert.equal(response.status, 201, response.body);
  return JSON.parse(response.body) as RegisteredClient;
}

export function authorizeQuery(clientId: string, pkce: Pkce, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    state: "state-123",
    resource: RESOURCE,
    scope: "memory",
    ...extra,
  }).toString();
}

export function ticketOf(html: string): string {
  const match = /name="ticket" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], "the consent page carries a ticket");
  return match[1];
}

export async function openConsent(harness: Harness, query: string): Promise<HttpResponse> {
  return harness.call({ method: "GET", path: "/authorize", query });
}

export async function submitConsent(
  harness: Harness,
  ticket: string,
  fields: Record<string, string> = { action: "approve", api_key: TEST_API_KEY },
): Promise<HttpResponse> {
  return harness.call({
    method: "POST",
    path: "/authorize",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "null" },
    body: new URLSearchParams({ ticket, ...fields }).toString(),
  });
}

/** GET /authorize, approve with the API key, and return the code from the redirect. */
export async function obtainCode(
  harness: Harness,
  clientId: string,
  pkce: Pkce,
  extra: Record<string, string> = {},
): Promise<string> {
  const page = await openConsent(harness, authorizeQuery(clientId, pkce, extra));
  assert.equal(page.status, 200, page.body);
  const approved = await submitConsent(harness, ticketOf(page.body));
  assert.equal(approved.status, 303, approved.body);
  const location = new URL(approved.headers.location ?? "");
  const code = location.searchParams.get("code");
  assert.ok(code, `a code in ${location.href}`);
  return code;
}

export async function tokenRequest(
  harness: Harness,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  return harness.call({
    method: "POST",
    path: "/token",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

export async function exchangeCode(
  harness: Harness,
  clientId: string,
  code: string,
  verifier: string,
): Promise<HttpResponse> {
  return tokenRequest(harness, {
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
    client_id: clientId,
    resource: RESOURCE,
  });
}

export async function refreshTokens(
  harness: Harness,
  clientId: string,
  refreshToken: string,
): Promise<HttpResponse> {
  return tokenRequest(harness, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: clientId,
    resource: RESOURCE,
  });
}

/** Registration, consent and code exchange: a connected public client and its first tokens. */
export async function connect(harness: Harness): Promise<{ client: RegisteredClient; tokens: Tokens }> {
  const client = await register(harness);
  const pkce = pkcePair();
  const code = await obtainCode(harness, client.client_id, pkce);
  const response = await exchangeCode(harness, client.client_id, code, pkce.verifier);
  assert.equal(response.status, 200, response.body);
  return { client, tokens: JSON.parse(response.body) as Tokens };
}

const PING = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });

/** POST /mcp with `Authorization: Bearer <token>`: the status and the challenge, if any. */
export async function callMcp(
  harness: Harness,
  token: string,
): Promise<{ status: number; challenge: string | undefined }> {
  const response = await harness.call({
    method: "POST",
    path: "/mcp",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: PING,
  });
  return { status: response.status, challenge: response.headers["www-authenticate"] };
}

export const INVALID_TOKEN_CHALLENGE = `Bearer error="invalid_token", resource_metadata="${BASE}/.well-known/oauth-protected-resource/mcp", scope="memory"`;

export function json(response: HttpResponse): unknown {
  return JSON.parse(response.body);
}

/**
 * A stand-in for the network hop of Client ID Metadata Documents: the client_id stays an https URL (and is
 * checked as one), but the document is read over plain http from a local fixture server.
 */
export function fixtureTransport(fixtureOrigin: string): MetadataFetch {
  return async (url, limits) => {
    const response = await fetch(new URL(`${url.pathname}${url.search}`, fixtureOrigin), {
      redirect: "manual",
      signal: AbortSignal.timeout(limits.timeoutMs),
    });
    const body = Buffer.from(await response.arrayBuffer()).subarray(0, limits.maxBytes + 1);
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? undefined,
      cacheControl: response.headers.get("cache-control") ?? undefined,
      body,
    };
  };
}
