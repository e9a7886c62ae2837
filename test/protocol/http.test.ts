// Pins down the Streamable HTTP rules through the real Lambda handler with Function URL v2 events:
// routing, methods, Origin, API key, Accept, Content-Type, body size and encoding, parse errors,
// notifications, protocol-version header, batches, the one log line per request and the one line of INIT.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MAX_BATCH_MESSAGES, MAX_BODY_BYTES } from "../../src/protocol/http.ts";
import { functionUrlEvent, ROTATED_API_KEY, TEST_API_KEY, UNAUTHORIZED_MESSAGE } from "../fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "../helpers/lambda.ts";

let lambda: LambdaUnderTest;
before(async () => {
  lambda = await loadLambda();
});
after(async () => {
  await lambda.stop();
});

const PING = { jsonrpc: "2.0", id: 1, method: "ping" };
const PONG = { jsonrpc: "2.0", id: 1, result: {} };
const JSON_TYPE = { "content-type": "application/json" };

function rpcError(code: number, message: string, id: unknown = null): unknown {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

describe("INIT", () => {
  test("loading the module logs one line, with what the warm-up took, and no warning", () => {
    const lines = lambda.initLogs.map((line) => JSON.parse(line) as { warmUpMs?: unknown });
    const warmUpMs = lines[0]?.warmUpMs;
    assert.deepEqual(lines, [{ level: "info", msg: "init", warmUpMs }]);
    assert.ok(Number.isInteger(warmUpMs) && (warmUpMs as number) >= 0, `warmUpMs = ${String(warmUpMs)}`);
  });
});

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

describe("Accept", () => {
  test("JSON is served when Accept is absent or admits application/json", async () => {
    for (const accept of [
      "",
      "*/*",
      "application/json",
      "application/*",
      "application/json, text/event-stream",
      "text/html;q=0.9, */*;q=0.1",
    ]) {
      const response = await lambda.invoke(functionUrlEvent({ headers: { accept }, body: PING }));
      assert.deepEqual(response.json, PONG, accept);
    }
  });

  test("406 when Accept rules JSON out", async () => {
    for (const accept of ["text/event-stream", "text/html", "application/json;q=0", "application/xml"]) {
      const response = await lambda.invoke(functionUrlEvent({ headers: { accept }, body: PING }));
      assert.deepEqual(
        { status: response.status, json: response.json },
        { status: 406, json: rpcError(-32600, "Not Acceptable: this server answers application/json") },
        accept,
      );
    }
  });
});

describe("Content-Type", () => {
  test("application/json with parameters, in any case, is accepted", async () => {
    for (const type of [
      "application/json; charset=utf-8",
      "Application/JSON",
      "application/json;charset=UTF-8",
    ]) {
      const response = await lambda.invoke(
        functionUrlEvent({ headers: { "content-type": type }, body: PING }),
      );
      assert.deepEqual(response.json, PONG, type);
    }
  });

  test("anything else, or none, gets 415", async () => {
    for (const type of [
      "",
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/jsonx",
      "multipart/form-data",
    ]) {
      const response = await lambda.invoke(
        functionUrlEvent({ headers: { "content-type": type }, body: PING }),
      );
      assert.deepEqual(
        { status: response.status, json: response.json },
        {
          status: 415,
          json: rpcError(-32600, "Unsupported Media Type: send Content-Type: application/json"),
        },
        type,
      );
    }
  });
});

describe("body", () => {
  test("a base64-encoded body is decoded", async () => {
    const response = await lambda.invoke(functionUrlEvent({ base64: true, body: PING }));
    assert.deepEqual(response.json, PONG);
  });

  test("a body over the limit gets 413 and a JSON-RPC error, plain or base64", async () => {
    const big = JSON.stringify({ ...PING, params: { pad: "x".repeat(MAX_BODY_BYTES) } });
    for (const base64 of [false, true]) {
      const response = await lambda.invoke(functionUrlEvent({ base64, body: big }));
      assert.deepEqual(
        { status: response.status, json: response.json },
        { status: 413, json: rpcError(-32600, `Payload Too Large: the limit is ${MAX_BODY_BYTES} bytes`) },
      );
    }
  });

  test("a multi-byte body just over the limit in bytes (not characters) gets 413", async () => {
    const pad = "é".repeat(Math.ceil(MAX_BODY_BYTES / 2));
    const response = await lambda.invoke(
      functionUrlEvent({ body: JSON.stringify({ ...PING, params: { pad } }) }),
    );
    assert.equal(response.status, 413);
  });

  test("unparseable JSON gets 400 and -32700 with id null", async () => {
    for (const body of ["{", '{"jsonrpc":"2.0","id":1,', "", "nul", "[1,2", "{'a':1}"]) {
      const response = await lambda.invoke(functionUrlEvent({ body }));
      assert.deepEqual(
        { status: response.status, json: response.json },
        { status: 400, json: rpcError(-32700, "Parse error: the body is not valid JSON") },
        JSON.stringify(body),
      );
    }
  });

  test("invalid UTF-8 is a parse error, never silently replaced", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    const event = functionUrlEvent({ base64: true });
    event.body = bytes.toString("base64");
    const response = await lambda.invoke(event);
    assert.deepEqual(
      { status: response.status, json: response.json },
      { status: 400, json: rpcError(-32700, "Parse error: the body is not valid UTF-8") },
    );
  });

  test("a UTF-8 byte order mark is tolerated", async () => {
    const response = await lambda.invoke(functionUrlEvent({ body: `\uFEFF${JSON.stringify(PING)}` }));
    assert.deepEqual(response.json, PONG);
  });
});

describe("notifications and client responses", () => {
  test("a notification gets 202 with an empty body", async () => {
    for (const method of ["notifications/initialized", "notifications/cancelled", "notifications/unknown"]) {
      const response = await lambda.invoke(
        functionUrlEvent({ body: { jsonrpc: "2.0", method, params: {} } }),
      );
      assert.deepEqual(response, { status: 202, headers: {}, body: "", json: undefined }, method);
    }
  });

  test("a JSON-RPC response sent by the client gets 202", async () => {
    for (const body of [
      { jsonrpc: "2.0", id: 5, result: {} },
      { jsonrpc: "2.0", id: "x", error: { code: -1, message: "no" } },
    ]) {
      const response = await lambda.invoke(functionUrlEvent({ body }));
      assert.deepEqual(response, { status: 202, headers: {}, body: "", json: undefined });
    }
  });
});

describe("MCP-Protocol-Version header", () => {
  test("absent or supported is accepted", async () => {
    for (const version of ["", "2025-03-26", "2025-06-18", "2025-11-25"]) {
      const response = await lambda.invoke(
        functionUrlEvent({ headers: { "mcp-protocol-version": version }, body: PING }),
      );
      assert.deepEqual(response.json, PONG, version);
    }
  });

  test("present but unsupported gets 400 with the supported list", async () => {
    const response = await lambda.invoke(
      functionUrlEvent({ headers: { "mcp-protocol-version": "2024-11-05" }, body: PING }),
    );
    assert.deepEqual(
      { status: response.status, json: response.json },
      {
        status: 400,
        json: {
          jsonrpc: "2.0",
          id: 1,
          error: {
            code: -32022,
            message: "Unsupported protocol version",
            data: {
              supported: ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"],
              requested: "2024-11-05",
            },
          },
        },
      },
    );
  });

  test("a notification under an unsupported version gets 400, not 202", async () => {
    const response = await lambda.invoke(
      functionUrlEvent({
        headers: { "mcp-protocol-version": "1999-01-01" },
        body: { jsonrpc: "2.0", method: "notifications/initialized" },
      }),
    );
    assert.equal(response.status, 400);
    assert.equal((response.json as { error: { code: number } }).error.code, -32022);
  });
});

describe("batches (2025-03-26 only)", () => {
  test("a batch is answered with an array of the requests' responses, notifications left out", async () => {
    const response = await lambda.invoke(
      functionUrlEvent({
        body: [
          { jsonrpc: "2.0", id: 1, method: "ping" },
          { jsonrpc: "2.0", method: "notifications/initialized" },
          { jsonrpc: "2.0", id: "b", method: "nope" },
          { jsonrpc: "1.0", id: 3, method: "ping" },
        ],
      }),
    );
    assert.deepEqual(
      { status: response.status, json: response.json },
      {
        status: 200,
        json: [
          PONG,
          rpcError(-32601, "Method not found: nope", "b"),
          rpcError(-32600, 'Invalid Request: "jsonrpc" must be exactly "2.0"', 3),
        ],
      },
    );
  });

  test("a batch of notifications only gets 202", async () => {
    const response = await lambda.invoke(
      functionUrlEvent({ body: [{ jsonrpc: "2.0", method: "notifications/initialized" }] }),
    );
    assert.deepEqual(response, { status: 202, headers: {}, body: "", json: undefined });
  });

  test("an empty batch, an oversized one and one under a later version are refused with 400", async () => {
    const cases: [unknown, Record<string, string>, string][] = [
      [[], {}, "Invalid Request: empty batch"],
      [
        Array(MAX_BATCH_MESSAGES + 1).fill(PING),
        {},
        `Invalid Request: at most ${MAX_BATCH_MESSAGES} messages a batch`,
      ],
      [
        [PING],
        { "mcp-protocol-version": "2025-06-18" },
        "Invalid Request: batches are not allowed in 2025-06-18",
      ],
    ];
    for (const [body, headers, message] of cases) {
      const response = await lambda.invoke(functionUrlEvent({ headers, body }));
      assert.deepEqual(
        { status: response.status, json: response.json },
        { status: 400, json: rpcError(-32600, message) },
      );
    }
  });

  test("a large integer id inside a batch is echoed exactly", async () => {
    const response = await lambda.invoke(
      functionUrlEvent({
        body: '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}]',
      }),
    );
    assert.equal(
      response.body,
      '[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":123456789012345678901234567890,"result":{}}]',
    );
  });
});

describe("log lines", () => {
  test("one structured line per request: method, tool, status, duration; never content or keys", async () => {
    lambda.takeLogs();
    const secret = "the-secret-diary-entry-zebra";
    await lambda.invoke(
      functionUrlEvent({
        body: {
          jsonrpc: "2.0",
          id: 7,
          method: "tools/call",
          params: { name: "create_memory", arguments: { content: secret } },
        },
      }),
    );
    await lambda.invoke(functionUrlEvent({ anonymous: true, path: `/mcp/${TEST_API_KEY}x`, body: PING }));
    const lines = lambda.takeLogs();
    assert.equal(lines.length, 2);
    const [call, refused] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(typeof call?.durationMs, "number");
    assert.deepEqual(
      { ...call, durationMs: 0 },
      {
        level: "info",
        msg: "request",
        httpMethod: "POST",
        status: 200,
        id: "7",
        method: "tools/call",
        tool: "create_memory",
        durationMs: 0,
      },
    );
    assert.deepEqual(
      { ...refused, durationMs: 0 },
      { level: "info", msg: "request", httpMethod: "POST", status: 401, durationMs: 0 },
    );
    const all = lines.join("\n");
    assert.ok(!all.includes(secret), "memory content leaked into the log");
    assert.ok(!all.includes(TEST_API_KEY.slice(0, 12)), "the API key leaked into the log");
  });
});
