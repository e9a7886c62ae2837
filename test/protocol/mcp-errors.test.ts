// Pins down JSON-RPC errors through the real Lambda handler: the code, HTTP status and echoed id of each kind
// of broken message, ids echoed exactly as sent, and SEP-1303 argument errors as tool results, never
// protocol errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TOOL_NAMES } from "../helpers/tool-names.ts";
import { error, request, rpc } from "./support.ts";

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
