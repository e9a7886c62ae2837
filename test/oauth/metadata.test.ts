// Pins down discovery through the real Lambda entry (Function URL events): the protected resource metadata
// at the path-aware and the root well-known URL (RFC 9728), the authorization server metadata (RFC 8414)
// with everything the MCP SDK and Claude check, the base URL taken from the Function URL's Host (or
// PUBLIC_BASE_URL), GET-only documents, and the query string reaching /authorize.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { functionUrlEvent } from "../fixtures/events.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import { type LambdaUnderTest, loadLambda } from "../helpers/lambda.ts";
import { startHarness } from "./support.ts";

const BASE = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws";

let lambda: LambdaUnderTest;
let database: Dynalite;
before(async () => {
  lambda = await loadLambda();
  database = await startDynalite();
});
after(async () => {
  await lambda.stop();
  await database.stop();
});

function get(path: string, extra: Parameters<typeof functionUrlEvent>[0] = {}) {
  return lambda.invoke(functionUrlEvent({ method: "GET", path, anonymous: true, ...extra }));
}

const PROTECTED_RESOURCE = {
  resource: `${BASE}/mcp`,
  authorization_servers: [BASE],
  scopes_supported: ["memory"],
  bearer_methods_supported: ["header"],
  resource_name: "Personal Memory",
};

describe("discovery", () => {
  test("protected resource metadata is served at the path-aware and at the root well-known URL", async () => {
    for (const path of [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-protected-resource",
    ]) {
      const response = await get(path);
      assert.deepEqual(
        { status: response.status, headers: response.headers, json: response.json },
        {
          status: 200,
          headers: { "content-type": "application/json", "cache-control": "public, max-age=300" },
          json: PROTECTED_RESOURCE,
        },
        path,
      );
    }
  });

  test("authorization server metadata names this function's endpoints, S256, CIMD and the auth methods", async () => {
    const response = await get("/.well-known/oauth-authorization-server");
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, {
      issuer: BASE,
      authorization_endpoint: `${BASE}/authorize`,
      token_endpoint: `${BASE}/token`,
      registration_endpoint: `${BASE}/register`,
      scopes_supported: ["memory"],
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
      code_challenge_methods_supported: ["S256"],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
  });

  test("a 401 from /mcp names the metadata URL, which serves the document", async () => {
    const refused = await lambda.invoke(
      functionUrlEvent({ anonymous: true, body: { jsonrpc: "2.0", id: 1, method: "ping" } }),
    );
    const challenge = refused.headers["www-authenticate"] ?? "";
    const url = /resource_metadata="([^"]+)"/.exec(challenge)?.[1] ?? "";
    assert.equal(url, `${BASE}/.well-known/oauth-protected-resource/mcp`);
    assert.deepEqual((await get(new URL(url).pathname)).json, PROTECTED_RESOURCE);
  });

  test("the discovery documents answer GET only; /token and /register POST only", async () => {
    for (const [method, path, allow] of [
      ["POST", "/.well-known/oauth-authorization-server", "GET"],
      ["DELETE", "/.well-known/oauth-protected-resource/mcp", "GET"],
      ["GET", "/token", "POST"],
      ["GET", "/register", "POST"],
      ["PUT", "/authorize", "GET, POST"],
    ] as const) {
      const response = await get(path, { method });
      assert.deepEqual(
        { status: response.status, allow: response.headers.allow, json: response.json },
        {
          status: 405,
          allow,
          json: { error: "invalid_request", error_description: `Method Not Allowed: use ${allow}` },
        },
        `${method} ${path}`,
      );
    }
  });

  test("GET /mcp is still 405 and unknown paths still 404, as JSON-RPC", async () => {
    assert.equal((await get("/mcp")).status, 405);
    const missing = await get("/.well-known/openid-configuration");
    assert.deepEqual(
      { status: missing.status, json: missing.json },
      {
        status: 404,
        json: {
          jsonrpc: "2.0",
          id: null,
          error: { code: -32600, message: "Not Found: the MCP endpoint is POST /mcp" },
        },
      },
    );
  });

  test("the Lambda adapter passes the query string: /authorize reads its parameters", async () => {
    const response = await get("/authorize", { rawQueryString: "client_id=nobody&response_type=code" });
    assert.equal(response.status, 400);
    assert.equal(response.headers["content-type"], "text/html; charset=utf-8");
    assert.match(response.body, /Unknown application/);
  });
});

describe("public base URL", () => {
  test("PUBLIC_BASE_URL wins over the Host header", async () => {
    const harness = await startHarness(database, { publicBaseUrl: "https://memory.example.com/" });
    const response = await harness.call({ method: "GET", path: "/.well-known/oauth-authorization-server" });
    assert.equal((JSON.parse(response.body) as { issuer: string }).issuer, "https://memory.example.com");
  });

  test("an invalid PUBLIC_BASE_URL is ignored with a warning, and the Host header is used", async () => {
    const harness = await startHarness(database, { publicBaseUrl: "https://memory.example.com/prefix" });
    assert.deepEqual(harness.takeLogs(), [
      {
        level: "warn",
        msg: "PUBLIC_BASE_URL ignored, deriving the base URL from each request: PUBLIC_BASE_URL must be an origin such as https://memory.example.com",
      },
    ]);
    const response = await harness.call({ method: "GET", path: "/.well-known/oauth-authorization-server" });
    assert.equal((JSON.parse(response.body) as { issuer: string }).issuer, "https://memory.example.test");
  });

  test("a request without a usable Host gets 400 from the OAuth paths and a plain challenge from /mcp", async () => {
    const harness = await startHarness(database);
    const metadata = await harness.call({
      method: "GET",
      path: "/.well-known/oauth-protected-resource",
      headers: { host: "bad host" },
    });
    assert.equal(metadata.status, 400);
    const mcp = await harness.call({
      method: "POST",
      path: "/mcp",
      headers: { host: "", "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(mcp.headers["www-authenticate"], "Bearer");
  });
});

describe("paths that name built-in object members", () => {
  test("__proto__, constructor and toString are not OAuth endpoints: 404 like any unknown path", async () => {
    const harness = await startHarness(database);
    for (const path of ["__proto__", "constructor", "toString", "/__proto__", "hasOwnProperty"]) {
      harness.takeLogs();
      const response = await harness.call({ method: "GET", path });
      assert.equal(response.status, 404, path);
      const [line] = harness.takeLogs();
      assert.equal(line?.endpoint, undefined, `${path} was taken for an OAuth endpoint`);
      assert.deepEqual(JSON.parse(response.body), {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "Not Found: the MCP endpoint is POST /mcp" },
      });
    }
  });
});
