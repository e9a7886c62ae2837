// Pins down that the official MCP TypeScript SDK clients (v1 and v2) connect to the local server given
// nothing but the bare URL, using their own OAuth support: discovery from the 401 challenge, Dynamic Client
// Registration or a Client ID Metadata Document, PKCE, the consent page filled in by a real headless
// Chromium, tool calls with the access token, a silent refresh once it has expired, and (v2) RFC 9207 iss.
//
// Chromium is Debian's package (scripts/install-chromium.sh); without it these tests fail, never skip.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
  UnauthorizedError as UnauthorizedErrorV2,
} from "@modelcontextprotocol/client";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import { type BrowserContext, chromium } from "playwright-core";
import { type LocalServer, startLocalServer } from "../../src/local/server.ts";
import { ACCESS_TOKEN_LIFETIME_S } from "../../src/oauth/access-token.ts";
import { createLogger } from "../../src/protocol/log.ts";
import { CHROMIUM_LAUNCH, requireChromium } from "../helpers/chromium.ts";
import { fixtureTransport } from "./support.ts";

const API_KEY = "sdk-flow-key-0123456789abcdefghijklmnopqrstuvwxyz";
const CLIENT_METADATA_URL = "https://client.example.test/oauth/client.json";

let browser: BrowserContext;
let profile: string;
let dataDir: string;
let callback: Server;
let callbackUrl: string;
let fixture: Server;
let server: LocalServer;
let clockOffset = 0;
const logLines: Record<string, unknown>[] = [];

before(async () => {
  requireChromium();
  profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
  browser = await chromium.launchPersistentContext(profile, {
    ...CHROMIUM_LAUNCH,
  });
  // The OAuth client's redirect target: it only has to answer; the test reads the code from the URL.
  callback = createServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("done"));
  callbackUrl = `http://127.0.0.1:${await listen(callback)}/callback`;
  // The client's metadata document, as its https URL would serve it.
  fixture = createServer((req, res) => {
    if (req.url !== "/oauth/client.json") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=600" }).end(
      JSON.stringify({
        client_id: CLIENT_METADATA_URL,
        client_name: "Metadata Document Client",
        redirect_uris: [callbackUrl],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      }),
    );
  });
  const fixturePort = await listen(fixture);
  dataDir = mkdtempSync(join(tmpdir(), "memory-mcp-oauth-"));
  server = await startLocalServer({
    port: 0,
    dataDir,
    apiKey: API_KEY,
    logger: createLogger((line) => logLines.push(JSON.parse(line) as Record<string, unknown>)),
    oauth: {
      now: () => Date.now() + clockOffset,
      fetchClientMetadata: fixtureTransport(`http://127.0.0.1:${fixturePort}`),
    },
  });
});

after(async () => {
  await server?.close();
  await browser?.close();
  await Promise.all([callback, fixture].map((s) => (s ? new Promise((done) => s.close(done)) : undefined)));
  for (const dir of [profile, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function listen(target: Server): Promise<number> {
  return new Promise((resolve) =>
    target.listen(0, "127.0.0.1", () => resolve((target.address() as AddressInfo).port)),
  );
}

interface Consent {
  code: string;
  /** Everything the redirect back carried: code, state, iss. */
  callbackParams: URLSearchParams;
  heading: string;
  consoleErrors: string[];
}

/**
 * An in-memory OAuth client provider (the SDKs' OAuthClientProvider, v1 and v2 alike) whose "browser
 * redirect" is Chromium filling in the consent page.
 */
class BrowserProvider {
  clientMetadataUrl?: string;
  private information: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = "";
  private expectedState = "";
  consent: Promise<Consent> | undefined;
  redirects = 0;

  constructor(options: { clientMetadataUrl?: string } = {}) {
    if (options.clientMetadataUrl !== undefined) this.clientMetadataUrl = options.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return callbackUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "SDK Test Client",
      redirect_uris: [callbackUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }

  state(): string {
    this.expectedState = randomUUID();
    return this.expectedState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.information;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.information = information;
  }

  tokens(): OAuthTokens | undefined {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    return this.verifier;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    this.redirects += 1;
    this.consent = approveInBrowser(authorizationUrl, this.expectedState);
  }
}

async function approveInBrowser(authorizationUrl: URL, expectedState: string): Promise<Consent> {
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  try {
    await page.goto(authorizationUrl.href);
    const heading = (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";
    await page.getByLabel("API key of this server").fill(API_KEY);
    await page.getByRole("button", { name: "Allow access" }).click();
    await page.waitForURL((url) => url.href.startsWith(callbackUrl));
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get("state"), expectedState, "state comes back unchanged");
    assert.equal(landed.searchParams.get("iss"), new URL(server.url).origin, "RFC 9207 iss");
    return {
      code: landed.searchParams.get("code") ?? "",
      callbackParams: landed.searchParams,
      heading,
      consoleErrors,
    };
  } finally {
    await page.close();
  }
}

/** The first connect fails with UnauthorizedError while the browser approves; finishAuth, then connect again. */
async function connectWithOAuth(provider: BrowserProvider): Promise<{ client: Client; consent: Consent }> {
  const url = new URL(server.url);
  const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const pending = new Client({ name: "sdk-flow-test", version: "1.0.0" });
  await assert.rejects(pending.connect(first), UnauthorizedError);
  assert.ok(provider.consent, "the SDK sent the user to the authorization endpoint");
  const consent = await provider.consent;
  await first.finishAuth(consent.code);
  await pending.close();
  const client = new Client({ name: "sdk-flow-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  return { client, consent };
}

function requests(endpoint: string): Record<string, unknown>[] {
  return logLines.filter((line) => line.endpoint === endpoint);
}

describe("the official MCP SDK client against the local server", () => {
  test("registers dynamically, signs in through the consent page in Chromium, calls tools, refreshes silently", async () => {
    logLines.length = 0;
    const provider = new BrowserProvider();
    const { client, consent } = await connectWithOAuth(provider);

    assert.equal(consent.heading, "Allow SDK Test Client to use your memory?");
    assert.deepEqual(consent.consoleErrors, [], "no Content-Security-Policy violation on the page");
    assert.equal(requests("register").length, 1, "one Dynamic Client Registration");
    assert.equal(provider.tokens()?.token_type, "Bearer");
    const tools = await client.listTools();
    assert.equal(tools.tools.length, 6);
    const created = await client.callTool({
      name: "create_memory",
      arguments: { content: "The SDK test ran through OAuth." },
    });
    assert.equal(created.isError, undefined);

    // An hour later the access token has expired: the SDK refreshes it without a browser.
    const before = provider.tokens();
    clockOffset += ACCESS_TOKEN_LIFETIME_S * 1000 + 1000;
    const found = await client.callTool({ name: "search_memories", arguments: { query: "OAuth" } });
    assert.equal(found.isError, undefined);
    const after = provider.tokens();
    assert.notEqual(after?.access_token, before?.access_token, "a new access token");
    assert.notEqual(after?.refresh_token, before?.refresh_token, "the refresh token rotated");
    assert.equal(provider.redirects, 1, "no second trip through the browser");
    assert.deepEqual(
      requests("token").map((line) => line.status),
      [200, 200],
      "one code exchange, one refresh",
    );
    await client.close();
  });

  test("v2 (@modelcontextprotocol/client) signs in the same way and checks iss (RFC 9207) on the way back", async () => {
    logLines.length = 0;
    const provider = new BrowserProvider();
    const url = new URL(server.url);
    const first = new StreamableHTTPClientTransportV2(url, { authProvider: provider });
    const pending = new ClientV2({ name: "sdk-flow-test-v2", version: "1.0.0" });
    await assert.rejects(pending.connect(first), UnauthorizedErrorV2);
    assert.ok(provider.consent, "the SDK sent the user to the authorization endpoint");
    const consent = await provider.consent;
    await first.finishAuth(consent.callbackParams);
    await pending.close();
    const client = new ClientV2({ name: "sdk-flow-test-v2", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransportV2(url, { authProvider: provider }));
    assert.equal((await client.listTools()).tools.length, 6);
    assert.equal(requests("register").length, 1);
    await client.close();
  });

  test("identifies itself with a Client ID Metadata Document instead of registering", async () => {
    logLines.length = 0;
    const provider = new BrowserProvider({ clientMetadataUrl: CLIENT_METADATA_URL });
    const { client, consent } = await connectWithOAuth(provider);

    assert.equal(consent.heading, "Allow Metadata Document Client to use your memory?");
    assert.deepEqual(requests("register"), [], "no registration");
    assert.equal(provider.clientInformation()?.client_id, CLIENT_METADATA_URL);
    assert.equal((await client.listTools()).tools.length, 6);
    await client.close();
  });
});
