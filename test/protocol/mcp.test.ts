// Pins down the MCP protocol of both eras through the real Lambda handler: the initialize handshake
// (version negotiation, ping, tools/list, tools/call), the stateless 2026-07-28 rules (server/discover,
// required _meta, Mcp-Method/Mcp-Name headers, 404 for removed methods, resultType, ttlMs, cacheScope),
// JSON-RPC error codes with exact id echoes, and SEP-1303 argument errors as tool results.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { INSTRUCTIONS, SERVER_IDENTITY } from "../../src/app.ts";
import { functionUrlEvent, statelessHeaders, statelessMeta } from "../fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "../helpers/lambda.ts";

let lambda: LambdaUnderTest;
before(async () => {
  lambda = await loadLambda();
});
after(async () => {
  await lambda.stop();
});

const TOOL_NAMES = [
  "create_memory",
  "search_memories",
  "list_memories",
  "get_memory",
  "update_memory",
  "delete_memory",
];
const SERVER_META = { "io.modelcontextprotocol/serverInfo": SERVER_IDENTITY };

async function rpc(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; body: string }> {
  const { status, json, body: text } = await lambda.invoke(functionUrlEvent({ body, headers }));
  return { status, json, body: text };
}

function request(method: string, params?: unknown, id: unknown = 1): unknown {
  return params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };
}

function error(id: unknown, code: number, message: string, data?: unknown): unknown {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}

describe("initialize era", () => {
  test("initialize echoes each supported version and answers the whole result", async () => {
    for (const version of ["2025-11-25", "2025-06-18", "2025-03-26"]) {
      const { status, json } = await rpc(
        request("initialize", {
          protocolVersion: version,
          capabilities: {},
          clientInfo: { name: "t", version: "1" },
        }),
      );
      assert.deepEqual(
        { status, json },
        {
          status: 200,
          json: {
            jsonrpc: "2.0",
            id: 1,
            result: {
              protocolVersion: version,
              capabilities: { tools: { listChanged: false } },
              serverInfo: {
                name: "memory-mcp-lambda",
                title: "Personal Memory",
                version: SERVER_IDENTITY.version,
              },
              instructions: INSTRUCTIONS,
            },
          },
        },
      );
    }
  });

  test("an unsupported version is answered with the latest, not an error", async () => {
    for (const version of ["2024-11-05", "2099-01-01", "garbage"]) {
      const { json } = await rpc(request("initialize", { protocolVersion: version, capabilities: {} }));
      assert.equal((json as { result: { protocolVersion: string } }).result.protocolVersion, "2025-11-25");
    }
  });

  test("initialize without a protocolVersion is -32602", async () => {
    const { status, json } = await rpc(request("initialize", { capabilities: {} }));
    assert.deepEqual(
      { status, json },
      {
        status: 200,
        json: error(1, -32602, 'Invalid params: initialize needs "protocolVersion" (a string)'),
      },
    );
  });

  test("ping answers exactly {}", async () => {
    const { body } = await rpc(request("ping", undefined, "p"));
    assert.equal(body, '{"jsonrpc":"2.0","id":"p","result":{}}');
  });

  test("the instructions teach the model when to search and when to store", () => {
    for (const phrase of [
      "search_memories",
      "create_memory",
      "update_memory",
      "delete_memory",
      "absolute dates",
    ]) {
      assert.ok(INSTRUCTIONS.includes(phrase), phrase);
    }
  });

  test("tools/list serves every tool with the schemas from schemas/ and full annotations", async () => {
    const { json } = await rpc(request("tools/list"));
    const { tools, ...rest } = (json as { result: { tools: Record<string, unknown>[] } }).result;
    assert.deepEqual(rest, {}, "one page, so no nextCursor");
    assert.deepEqual(
      tools.map((tool) => tool.name),
      TOOL_NAMES,
    );
    for (const tool of tools) {
      const schemas = JSON.parse(
        readFileSync(new URL(`../../schemas/${String(tool.name)}.json`, import.meta.url), "utf8"),
      );
      assert.deepEqual(tool.inputSchema, schemas.input, `${tool.name} input`);
      assert.deepEqual(tool.outputSchema, schemas.output, `${tool.name} output`);
      assert.deepEqual(Object.keys(tool).sort(), [
        "annotations",
        "description",
        "inputSchema",
        "name",
        "outputSchema",
        "title",
      ]);
      const annotations = tool.annotations as Record<string, unknown>;
      assert.deepEqual(Object.keys(annotations).sort(), [
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
        "readOnlyHint",
        "title",
      ]);
      assert.equal(annotations.openWorldHint, false);
      assert.equal(annotations.title, tool.title);
      assert.ok(
        String(tool.description).length > 100,
        `${tool.name} has a description written for the model`,
      );
      assert.equal((tool.inputSchema as { additionalProperties: unknown }).additionalProperties, false);
    }
    const readOnly = tools
      .filter((tool) => (tool.annotations as { readOnlyHint: boolean }).readOnlyHint)
      .map((t) => t.name);
    assert.deepEqual(readOnly, ["search_memories", "list_memories", "get_memory"]);
    const destructive = tools
      .filter((tool) => (tool.annotations as { destructiveHint: boolean }).destructiveHint)
      .map((t) => t.name);
    assert.deepEqual(destructive, ["update_memory", "delete_memory"]);
  });

  test("tools/list refuses a cursor it did not make", async () => {
    for (const cursor of ["abc", 5, "", Buffer.from("tools:x").toString("base64url")]) {
      const { json } = await rpc(request("tools/list", { cursor }));
      assert.deepEqual(
        json,
        error(1, -32602, "Invalid params: unknown cursor for tools/list"),
        String(cursor),
      );
    }
  });

  test("an unknown method is -32601 with HTTP 200", async () => {
    const { status, json } = await rpc(request("resources/list"));
    assert.deepEqual(
      { status, json },
      { status: 200, json: error(1, -32601, "Method not found: resources/list") },
    );
  });

  test("server/discover without the stateless _meta is -32602 and 400", async () => {
    const { status, json } = await rpc(request("server/discover", {}));
    assert.equal(status, 400);
    assert.equal((json as { error: { code: number } }).error.code, -32602);
  });
});

describe("JSON-RPC errors and id echoes", () => {
  const cases: [string, string, number, unknown, string][] = [
    ["not an object", "5", 400, null, "Invalid Request: a JSON-RPC message must be an object"],
    ["null", "null", 400, null, "Invalid Request: a JSON-RPC message must be an object"],
    [
      "wrong jsonrpc",
      '{"jsonrpc":"1.0","id":9,"method":"ping"}',
      400,
      9,
      'Invalid Request: "jsonrpc" must be exactly "2.0"',
    ],
    [
      "missing jsonrpc",
      '{"id":9,"method":"ping"}',
      400,
      9,
      'Invalid Request: "jsonrpc" must be exactly "2.0"',
    ],
    [
      "non-string method",
      '{"jsonrpc":"2.0","id":"m","method":42}',
      400,
      "m",
      'Invalid Request: "method" must be a string',
    ],
    [
      "object id",
      '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}',
      400,
      null,
      'Invalid Request: "id" must be a string or a number',
    ],
    [
      "null id",
      '{"jsonrpc":"2.0","id":null,"method":"ping"}',
      400,
      null,
      'Invalid Request: "id" must be a string or a number',
    ],
    [
      "boolean id",
      '{"jsonrpc":"2.0","id":true,"method":"ping"}',
      400,
      null,
      'Invalid Request: "id" must be a string or a number',
    ],
    [
      "scalar params",
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":3}',
      400,
      1,
      'Invalid Request: "params" must be an object',
    ],
    [
      "array params",
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}',
      200,
      1,
      "Invalid params: MCP params must be an object, not an array",
    ],
    [
      "neither request nor response",
      '{"jsonrpc":"2.0","id":1}',
      400,
      1,
      'Invalid Request: a message needs a "method", or a "result" or "error" with an "id"',
    ],
  ];
  for (const [name, body, status, id, message] of cases) {
    test(`${name} is answered with the right code, status and id`, async () => {
      const response = await rpc(body);
      const code = message.startsWith("Invalid params") ? -32602 : -32600;
      assert.deepEqual(
        { status: response.status, json: response.json },
        { status, json: error(id, code, message) },
      );
    });
  }

  test("string ids, unicode ids and large integer ids are echoed exactly", async () => {
    for (const id of [
      '"abc"',
      '"ünï-😀"',
      '""',
      "0",
      "-5",
      "9007199254740993",
      "123456789012345678901234567890",
      "1.5",
      "1e400",
    ]) {
      const response = await rpc(`{"jsonrpc":"2.0","method":"nope","id":${id}}`);
      assert.ok(response.body.startsWith(`{"jsonrpc":"2.0","id":${id},"error":`), `${id}: ${response.body}`);
    }
  });

  test("an id written with escapes or duplicated keys is echoed as JSON.parse reads it", async () => {
    const response = await rpc('{"jsonrpc":"2.0","id":1,"method":"ping","\\u0069d":98765432109876543210}');
    assert.equal(response.body, '{"jsonrpc":"2.0","id":98765432109876543210,"result":{}}');
  });

  test("tools/call without a name or with an unknown tool is -32602", async () => {
    const missing = await rpc(request("tools/call", { arguments: {} }));
    assert.deepEqual(missing.json, error(1, -32602, 'Invalid params: tools/call needs "name" (a string)'));
    const unknown = await rpc(request("tools/call", { name: "forget_everything", arguments: {} }));
    assert.deepEqual(
      unknown.json,
      error(1, -32602, `Unknown tool: "forget_everything". Available tools: ${TOOL_NAMES.join(", ")}`),
    );
  });

  test("invalid arguments are a tool result with isError naming every offending field (SEP-1303)", async () => {
    const { status, json } = await rpc(
      request("tools/call", {
        name: "create_memory",
        arguments: { content: "", tags: ["ok", " bad"], colour: "red" },
      }),
    );
    assert.deepEqual(
      { status, json },
      {
        status: 200,
        json: {
          jsonrpc: "2.0",
          id: 1,
          result: {
            content: [
              {
                type: "text",
                text:
                  'Invalid arguments for create_memory: arguments: unknown property "colour"; ' +
                  '"content": must NOT have fewer than 1 characters; "content": must contain some non-whitespace text; ' +
                  '"tags.1": must not start or end with whitespace, nor contain commas',
              },
            ],
            isError: true,
          },
        },
      },
    );
  });

  test("arguments that are not an object are a tool error too", async () => {
    const { json } = await rpc(request("tools/call", { name: "get_memory", arguments: "01J" }));
    assert.deepEqual((json as { result: unknown }).result, {
      content: [{ type: "text", text: "Invalid arguments for get_memory: arguments: must be object" }],
      isError: true,
    });
  });
});

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
