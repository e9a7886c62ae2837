// Pins down the stateless era of MCP (2026-07-28) through the real Lambda handler: server/discover, resultType,
// ttlMs and cacheScope, the required _meta, the Mcp-Method and Mcp-Name headers and the version they must agree
// on, 404 for the methods it removed, and 202 for a notification.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { INSTRUCTIONS } from "../../src/app.ts";
import { functionUrlEvent, statelessHeaders, statelessMeta } from "../fixtures/events.ts";
import { TOOL_NAMES } from "../helpers/tool-names.ts";
import { error, lambda, request, rpc, SERVER_META } from "./support.ts";

describe("stateless era (2026-07-28)", () => {
  function stateless(method: string, params: Record<string, unknown> = {}, name?: string) {
    return rpc(request(method, { ...params, _meta: statelessMeta() }), statelessHeaders(method, name));
  }

  test("server/discover answers versions, capabilities, instructions, caching and identity", async () => {
    const { status, json } = await stateless("server/discover");
    assert.deepEqual(
      { status, json },
      {
        status: 200,
        json: {
          jsonrpc: "2.0",
          id: 1,
          result: {
            supportedVersions: ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"],
            capabilities: { tools: {} },
            instructions: INSTRUCTIONS,
            ttlMs: 3_600_000,
            cacheScope: "public",
            resultType: "complete",
            _meta: SERVER_META,
          },
        },
      },
    );
  });

  test("tools/list carries resultType, ttlMs, cacheScope and the server identity", async () => {
    const { json } = await stateless("tools/list");
    const { tools, ...rest } = (json as { result: { tools: { name: string }[] } }).result;
    assert.deepEqual(rest, {
      ttlMs: 3_600_000,
      cacheScope: "public",
      resultType: "complete",
      _meta: SERVER_META,
    });
    assert.deepEqual(
      tools.map((tool) => tool.name),
      TOOL_NAMES,
    );
  });

  test("tools/call results carry resultType complete", async () => {
    const { json } = await stateless(
      "tools/call",
      { name: "list_memories", arguments: { limit: 1 } },
      "list_memories",
    );
    const result = (json as { result: Record<string, unknown> }).result;
    assert.equal(result.resultType, "complete");
    assert.deepEqual(result._meta, SERVER_META);
    assert.equal(result.isError, undefined);
  });

  test("Mcp-Name may arrive in the base64 sentinel form", async () => {
    const encoded = `=?base64?${Buffer.from("list_memories").toString("base64")}?=`;
    const { status } = await stateless("tools/call", { name: "list_memories", arguments: {} }, encoded);
    assert.equal(status, 200);
  });

  test("initialize, ping and unknown methods are 404 and -32601", async () => {
    for (const method of ["initialize", "ping", "resources/list", "logging/setLevel"]) {
      const { status, json } = await stateless(method);
      assert.deepEqual(
        { status, json },
        { status: 404, json: error(1, -32601, `Method not found: ${method}`) },
        method,
      );
    }
  });

  test("missing required _meta members are -32602 with 400", async () => {
    const message =
      'Invalid params: a 2026-07-28 request needs params._meta with "io.modelcontextprotocol/protocolVersion" (a string) and "io.modelcontextprotocol/clientCapabilities" (an object)';
    const metas = [
      undefined,
      { "io.modelcontextprotocol/protocolVersion": "2026-07-28" },
      {
        "io.modelcontextprotocol/protocolVersion": 20260728,
        "io.modelcontextprotocol/clientCapabilities": {},
      },
      {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": [],
      },
    ];
    for (const meta of metas) {
      const params = meta === undefined ? {} : { _meta: meta };
      const { status, json } = await rpc(request("tools/list", params), statelessHeaders("tools/list"));
      assert.deepEqual(
        { status, json },
        { status: 400, json: error(1, -32602, message) },
        JSON.stringify(meta),
      );
    }
  });

  test("an unsupported version that header and _meta agree on is -32022 with 400, supported and requested", async () => {
    const withoutHeader = { "mcp-method": "tools/list" };
    for (const headers of [{ ...withoutHeader, "mcp-protocol-version": "2027-01-01" }, withoutHeader]) {
      const { status, json } = await rpc(
        request("tools/list", { _meta: statelessMeta("2027-01-01") }),
        headers,
      );
      assert.deepEqual(
        { status, json },
        {
          status: 400,
          json: error(1, -32022, "Unsupported protocol version", {
            supported: ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"],
            requested: "2027-01-01",
          }),
        },
        JSON.stringify(headers),
      );
    }
  });

  test("a header that disagrees with _meta is -32020, even when one of the versions is unsupported", async () => {
    // RequestMetaObject (schema 2026-07-28): the values MUST match, otherwise 400; the mismatch is judged
    // before either version is, as the conformance suite's server-stateless scenario checks.
    const cases: [header: string, meta: string][] = [
      ["2026-07-28", "v999.0.0"],
      ["v999.0.0", "2026-07-28"],
      ["2025-11-25", "2027-01-01"],
    ];
    for (const [header, meta] of cases) {
      const { status, json } = await rpc(request("server/discover", { _meta: statelessMeta(meta) }), {
        "mcp-protocol-version": header,
        "mcp-method": "server/discover",
      });
      assert.deepEqual(
        { status, json },
        {
          status: 400,
          json: error(
            1,
            -32020,
            `Header mismatch: MCP-Protocol-Version header value "${header}" does not match body value "${meta}"`,
          ),
        },
        `${header} / ${meta}`,
      );
    }
  });

  test("headers that are missing or disagree with the body are -32020 with 400", async () => {
    const params = { name: "list_memories", arguments: {}, _meta: statelessMeta() };
    const cases: [Record<string, string>, string][] = [
      [
        { "mcp-method": "tools/call", "mcp-name": "list_memories" },
        "Header mismatch: the MCP-Protocol-Version header is required",
      ],
      [
        { "mcp-protocol-version": "2025-11-25", "mcp-method": "tools/call", "mcp-name": "list_memories" },
        'Header mismatch: MCP-Protocol-Version header value "2025-11-25" does not match body value "2026-07-28"',
      ],
      [
        { "mcp-protocol-version": "2026-07-28", "mcp-name": "list_memories" },
        "Header mismatch: the Mcp-Method header is required",
      ],
      [
        { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list", "mcp-name": "list_memories" },
        'Header mismatch: Mcp-Method header value "tools/list" does not match body value "tools/call"',
      ],
      [
        { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call" },
        "Header mismatch: the Mcp-Name header is required",
      ],
      [
        { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "get_memory" },
        'Header mismatch: Mcp-Name header value "get_memory" does not match body value "list_memories"',
      ],
      [
        { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "=?base64?@@@?=" },
        "Header mismatch: Mcp-Name is not valid base64 sentinel",
      ],
    ];
    for (const [headers, message] of cases) {
      const { status, json } = await rpc(request("tools/call", params), headers);
      assert.deepEqual(
        { status, json },
        { status: 400, json: error(1, -32020, message) },
        JSON.stringify(headers),
      );
    }
  });

  test("a notification in the stateless era gets 202", async () => {
    const response = await lambda.invoke(
      functionUrlEvent({
        headers: { "mcp-protocol-version": "2026-07-28" },
        body: { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1, _meta: {} } },
      }),
    );
    assert.equal(response.status, 202);
  });
});
