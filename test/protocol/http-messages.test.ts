// Pins down how the MCP endpoint answers what the body holds, through the real Lambda handler with Function
// URL v2 events: 202 for notifications and client responses, the MCP-Protocol-Version header, and batches
// (2025-03-26 only) with their limits and exact ids.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_BATCH_MESSAGES } from "../../src/protocol/http.ts";
import { functionUrlEvent } from "../fixtures/events.ts";
import { lambda, PING, PONG, rpcError } from "./support.ts";

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
