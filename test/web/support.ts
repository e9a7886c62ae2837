// Shared by the memory page's tests: the real app (createApp) on dynalite with a movable clock, requests shaped
// like a Function URL's, and the page's steps: open the sign-in form, sign in, read a page's CSRF token.
import assert from "node:assert/strict";
import { createApp } from "../../src/app.ts";
import { createOAuthStore } from "../../src/dynamodb/oauth-store.ts";
import type { MemoryStore } from "../../src/memory/memory-store.ts";
import type { OAuthStore } from "../../src/oauth/store.ts";
import { sha256Hex } from "../../src/protocol/auth.ts";
import type { HttpHandler, HttpResponse } from "../../src/protocol/http.ts";
import { createLogger } from "../../src/protocol/log.ts";
import { createTestStore, type Dynalite } from "../helpers/dynalite.ts";

export const HOST = "memory.example.test";
export const BASE = `https://${HOST}`;
export const KEY_A = "page-key-a-0123456789abcdefghijklmnopqrstuvwxyz";
export const KEY_B = "page-key-b-0123456789abcdefghijklmnopqrstuvwxyz";

export interface PageHarness {
  app: HttpHandler;
  memoryStore: MemoryStore;
  oauthStore: OAuthStore;
  tableName: string;
  advance(ms: number): void;
  /** Every log line so far. */
  logs: string[];
  call(request: PageRequest): Promise<HttpResponse>;
}

export interface PageRequest {
  method?: "GET" | "POST" | "PUT";
  path: string;
  query?: string;
  /** Cookie header value. */
  cookie?: string;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface HarnessOptions {
  apiKeys?: string[];
  /** Serve the table of an earlier harness, as a redeploy with other keys would. */
  sameTableAs?: PageHarness;
  publicBaseUrl?: string;
  wrongKeyDelayMs?: number;
  maxDownloadBytes?: number;
}

export async function startPageHarness(
  database: Dynalite,
  options: HarnessOptions = {},
): Promise<PageHarness> {
  const { store: memoryStore, tableName } =
    options.sameTableAs === undefined
      ? await createTestStore(database)
      : { store: options.sameTableAs.memoryStore, tableName: options.sameTableAs.tableName };
  const oauthStore = createOAuthStore({ client: database.client, tableName });
  let offset = 0;
  const logs: string[] = [];
  const app = createApp({
    env: {
      MCP_API_KEY_SHA256: (options.apiKeys ?? [KEY_A]).map(sha256Hex).join(","),
      ...(options.publicBaseUrl === undefined ? {} : { PUBLIC_BASE_URL: options.publicBaseUrl }),
    },
    store: memoryStore,
    defaultOrigins: [],
    logger: createLogger((line) => logs.push(line)),
    oauth: {
      store: oauthStore,
      now: () => Date.now() + offset,
      wrongKeyDelayMs: options.wrongKeyDelayMs ?? 0,
    },
    ...(options.maxDownloadBytes === undefined
      ? {}
      : { memoryPage: { maxDownloadBytes: options.maxDownloadBytes } }),
  });
  return {
    app,
    memoryStore,
    oauthStore,
    tableName,
    logs,
    advance(ms) {
      offset += ms;
    },
    call(request) {
      const headers: Record<string, string> = {
        host: HOST,
        "x-forwarded-proto": "https",
        ...request.headers,
      };
      if (request.cookie !== undefined) headers.cookie = request.cookie;
      if (request.form !== undefined) headers["content-type"] ??= "application/x-www-form-urlencoded";
      return app({
        method: request.method ?? (request.form === undefined ? "GET" : "POST"),
        path: request.path,
        query: request.query ?? "",
        headers,
        body: request.form === undefined ? undefined : new URLSearchParams(request.form).toString(),
      });
    },
  };
}

/** The name=value part of the first cookie an answer sets. */
export function cookiePair(response: HttpResponse): string {
  const cookie = response.cookies?.[0];
  assert.ok(cookie !== undefined, `no cookie set by ${response.status} ${response.body.slice(0, 200)}`);
  return cookie.split(";", 1)[0] ?? "";
}

/** The value of a page's hidden csrf field. */
export function csrfOf(body: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(body);
  assert.ok(match?.[1] !== undefined, "the page has no CSRF token");
  return match[1];
}

export interface SignedIn {
  /** Cookie header value carrying the session. */
  cookie: string;
  csrf: string;
}

/** Opens the sign-in form, posts the key with its token, and reads the first page's CSRF token. */
export async function signIn(harness: PageHarness, key: string): Promise<SignedIn> {
  const form = await harness.call({ path: "/memories" });
  assert.equal(form.status, 200);
  const signedIn = await harness.call({
    path: "/memories/sign-in",
    cookie: cookiePair(form),
    form: { csrf: csrfOf(form.body), api_key: key },
  });
  assert.equal(signedIn.status, 303, signedIn.body);
  const cookie = cookiePair(signedIn);
  const page = await harness.call({ path: "/memories", cookie });
  assert.equal(page.status, 200);
  return { cookie, csrf: csrfOf(page.body) };
}
