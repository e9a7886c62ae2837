// Pins down who may reach the MCP endpoint, through the real Lambda handler with Function URL v2 events: the
// route and the method (405 with Allow: POST), the API key in its accepted forms and the 401 challenge, and
// the Origin check that comes before the key.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { functionUrlEvent, ROTATED_API_KEY, TEST_API_KEY, UNAUTHORIZED_MESSAGE } from "../fixtures/events.ts";
import { JSON_TYPE, lambda, PING, PONG, rpcError } from "./support.ts";

describe("routing and method", () => {
  for (const method of ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]) {
    test(`${method} gets 405 with Allow: POST`, async () => {
      const response = await lambda.invoke(functionUrlEvent({ method }));
      assert.deepEqual(response, {
        status: 405,
        headers: { ...JSON_TYPE, allow: "POST" },
        body: response.body,
        json: rpcError(-32600, "Method Not Allowed: use POST"),
      });
    });
  }

  test("a path other than /mcp gets 404", async () => {
    for (const path of ["/", "/mcp/a/b", "/other", "/mcpx"]) {
      const response = await lambda.invoke(functionUrlEvent({ path, body: PING }));
      assert.equal(response.status, 404, path);
      assert.deepEqual(response.json, rpcError(-32600, "Not Found: the MCP endpoint is POST /mcp"));
    }
  });

  test("/mcp/ with a trailing slash is the endpoint", async () => {
    const response = await lambda.invoke(functionUrlEvent({ path: "/mcp/", body: PING }));
    assert.deepEqual(response.json, PONG);
  });
});

describe("API key", () => {
  // The 401 challenge points OAuth clients at the protected resource metadata (RFC 9728 §5.1, src/oauth/);
  // a request that sent a bearer value also learns that it was not accepted (RFC 6750 §3.1).
  const RESOURCE_METADATA =
    "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/.well-known/oauth-protected-resource/mcp";
  const CHALLENGE = `Bearer resource_metadata="${RESOURCE_METADATA}", scope="memory"`;
  const INVALID_TOKEN = `Bearer error="invalid_token", resource_metadata="${RESOURCE_METADATA}", scope="memory"`;

  async function expectUnauthorized(
    options: Parameters<typeof functionUrlEvent>[0],
    challenge = CHALLENGE,
  ): Promise<void> {
    const { status, headers, json } = await lambda.invoke(functionUrlEvent(options));
    assert.deepEqual(
      { status, headers, json },
      {
        status: 401,
        headers: { ...JSON_TYPE, "www-authenticate": challenge },
        json: rpcError(-32001, UNAUTHORIZED_MESSAGE),
      },
    );
  }

  test("a missing key gets 401 with a Bearer challenge naming the resource metadata", async () => {
    await expectUnauthorized({ anonymous: true, body: PING });
  });

  test("a wrong bearer key gets 401 with error=invalid_token", async () => {
    await expectUnauthorized({ headers: { authorization: "Bearer not-the-key" }, body: PING }, INVALID_TOKEN);
  });

  test("a key that is a prefix of the real one gets 401", async () => {
    await expectUnauthorized(
      { headers: { authorization: `Bearer ${TEST_API_KEY.slice(0, -1)}` }, body: PING },
      INVALID_TOKEN,
    );
  });

  test("a non-Bearer Authorization scheme gets 401", async () => {
    const basic = Buffer.from(`user:${TEST_API_KEY}`).toString("base64");
    await expectUnauthorized({ headers: { authorization: `Basic ${basic}` }, body: PING });
  });

  test("a key in the query string is never read", async () => {
    await expectUnauthorized({ anonymous: true, rawQueryString: `key=${TEST_API_KEY}`, body: PING });
  });

  test("a wrong key in the path gets 401", async () => {
    await expectUnauthorized({ anonymous: true, path: "/mcp/wrong-key", body: PING });
  });

  test("auth comes before parsing: garbage from a stranger is 401, not 400", async () => {
    await expectUnauthorized({ anonymous: true, body: "{not json" });
  });

  test("Bearer (any case), x-api-key, the secret path and a rotated key are accepted", async () => {
    const variants: Parameters<typeof functionUrlEvent>[0][] = [
      { headers: { authorization: `bearer ${TEST_API_KEY}` } },
      { anonymous: true, headers: { "x-api-key": TEST_API_KEY } },
      { anonymous: true, path: `/mcp/${encodeURIComponent(TEST_API_KEY)}` },
      { headers: { authorization: `Bearer ${ROTATED_API_KEY}` } },
    ];
    for (const variant of variants) {
      const response = await lambda.invoke(functionUrlEvent({ ...variant, body: PING }));
      assert.deepEqual(response.json, PONG, JSON.stringify(variant));
    }
  });
});

describe("Origin", () => {
  test("no Origin (curl, server to server) is served", async () => {
    assert.deepEqual((await lambda.invoke(functionUrlEvent({ body: PING }))).json, PONG);
  });

  test("Claude's origins are served by default", async () => {
    for (const origin of [
      "https://claude.ai",
      "https://www.claude.ai",
      "https://claude.com",
      "https://app.claude.com",
    ]) {
      const response = await lambda.invoke(functionUrlEvent({ headers: { origin }, body: PING }));
      assert.deepEqual(response.json, PONG, origin);
    }
  });

  test("a foreign Origin gets 403 before the key is even looked at", async () => {
    for (const origin of [
      "https://evil.example",
      "http://claude.ai",
      "https://claude.ai.evil.example",
      "https://notclaude.ai",
      "null",
      "http://localhost:3000",
    ]) {
      const response = await lambda.invoke(
        functionUrlEvent({ anonymous: true, headers: { origin }, body: PING }),
      );
      assert.deepEqual(
        { status: response.status, json: response.json },
        { status: 403, json: rpcError(-32600, "Forbidden: Origin not allowed") },
        origin,
      );
    }
  });
});
