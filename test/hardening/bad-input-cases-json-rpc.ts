// Bad inputs at JSON-RPC: messages that are not objects, wrong versions, methods and ids, params of the wrong
// type, ids a double would round (echoed digit for digit), and batches that are empty, too long or garbage.
import { type Case, INVALID_REQUEST, PING } from "./bad-input-cases.ts";

export const jsonRpcCases: Case[] = [
  ...(["5", "null", '"ping"', "true"] as const).map(
    (body): Case => ({
      name: `a bare ${body} is not a message`,
      layer: "json-rpc",
      request: { body },
      expected: {
        status: 400,
        error: { code: INVALID_REQUEST, message: "Invalid Request: a JSON-RPC message must be an object" },
      },
    }),
  ),
  {
    name: 'jsonrpc "1.0" is refused, id echoed',
    layer: "json-rpc",
    request: { body: '{"jsonrpc":"1.0","id":9,"method":"ping"}' },
    expected: {
      status: 400,
      id: 9,
      error: { code: INVALID_REQUEST, message: 'Invalid Request: "jsonrpc" must be exactly "2.0"' },
    },
  },
  {
    name: "a numeric method is refused, id echoed",
    layer: "json-rpc",
    request: { body: '{"jsonrpc":"2.0","id":"m","method":42}' },
    expected: {
      status: 400,
      id: "m",
      error: { code: INVALID_REQUEST, message: 'Invalid Request: "method" must be a string' },
    },
  },
  ...(['{"a":1}', "null", "true", "[1]"] as const).map(
    (id): Case => ({
      name: `id ${id} is refused with id null`,
      layer: "json-rpc",
      request: { body: `{"jsonrpc":"2.0","id":${id},"method":"ping"}` },
      expected: {
        status: 400,
        error: { code: INVALID_REQUEST, message: 'Invalid Request: "id" must be a string or a number' },
      },
    }),
  ),
  {
    name: "string params are refused",
    layer: "json-rpc",
    request: { body: '{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}' },
    expected: {
      status: 400,
      id: 1,
      error: { code: INVALID_REQUEST, message: 'Invalid Request: "params" must be an object' },
    },
  },
  {
    name: "by-position params are -32602",
    layer: "json-rpc",
    request: { body: '{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}' },
    expected: {
      status: 200,
      id: 1,
      error: { code: -32602, message: "Invalid params: MCP params must be an object, not an array" },
    },
  },
  {
    name: "neither a request nor a response",
    layer: "json-rpc",
    request: { body: '{"jsonrpc":"2.0","id":1}' },
    expected: {
      status: 400,
      id: 1,
      error: {
        code: INVALID_REQUEST,
        message: 'Invalid Request: a message needs a "method", or a "result" or "error" with an "id"',
      },
    },
  },
  {
    name: "an unknown method is -32601",
    layer: "json-rpc",
    request: { body: { jsonrpc: "2.0", id: 1, method: "resources/list" } },
    expected: { status: 200, id: 1, error: { code: -32601, message: "Method not found: resources/list" } },
  },
  {
    name: "a `__proto__` method name is just an unknown method",
    layer: "json-rpc",
    request: { body: '{"jsonrpc":"2.0","id":1,"method":"__proto__","__proto__":{"method":"ping"}}' },
    expected: { status: 200, id: 1, error: { code: -32601, message: "Method not found: __proto__" } },
  },
  {
    name: "an id a double rounds (1.00000000000000000001) is echoed digit for digit",
    layer: "json-rpc",
    request: { body: '{"jsonrpc":"2.0","id":1.00000000000000000001,"method":"nope"}' },
    expected: {
      status: 200,
      body: '{"jsonrpc":"2.0","id":1.00000000000000000001,"error":{"code":-32601,"message":"Method not found: nope"}}',
    },
  },
  {
    name: "an id that underflows (1e-400) is echoed digit for digit",
    layer: "json-rpc",
    request: { body: '{"jsonrpc":"2.0","id":1e-400,"method":"nope"}' },
    expected: {
      status: 200,
      body: '{"jsonrpc":"2.0","id":1e-400,"error":{"code":-32601,"message":"Method not found: nope"}}',
    },
  },
  {
    name: "an empty batch",
    layer: "json-rpc",
    request: { body: "[]" },
    expected: { status: 400, error: { code: INVALID_REQUEST, message: "Invalid Request: empty batch" } },
  },
  {
    name: "a batch of 21 messages",
    layer: "json-rpc",
    request: { body: Array(21).fill(PING) },
    expected: {
      status: 400,
      error: { code: INVALID_REQUEST, message: "Invalid Request: at most 20 messages a batch" },
    },
  },
  {
    name: "a batch under 2025-06-18",
    layer: "json-rpc",
    request: { headers: { "mcp-protocol-version": "2025-06-18" }, body: [PING] },
    expected: {
      status: 400,
      error: { code: INVALID_REQUEST, message: "Invalid Request: batches are not allowed in 2025-06-18" },
    },
  },
  {
    name: "a batch of garbage elements answers each one",
    layer: "json-rpc",
    request: {
      body: '[1,{"jsonrpc":"2.0","id":"x"},{"jsonrpc":"2.0","method":"notifications/initialized"}]',
    },
    expected: {
      status: 200,
      body: [
        {
          jsonrpc: "2.0",
          id: null,
          error: { code: INVALID_REQUEST, message: "Invalid Request: a JSON-RPC message must be an object" },
        },
        {
          jsonrpc: "2.0",
          id: "x",
          error: {
            code: INVALID_REQUEST,
            message: 'Invalid Request: a message needs a "method", or a "result" or "error" with an "id"',
          },
        },
      ],
    },
  },
];
