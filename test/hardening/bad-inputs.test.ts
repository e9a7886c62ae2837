// The bad-input catalogue: named hostile or broken requests across the transport, JSON-RPC and tool
// arguments, each with the exact status and error it must get, through the real Lambda handler on
// dynalite. One table row per case, so a regression names the input it let through.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { MAX_BODY_BYTES } from "../../src/protocol/http.ts";
import {
  type EventOptions,
  functionUrlEvent,
  statelessHeaders,
  statelessMeta,
  TEST_API_KEY,
  UNAUTHORIZED_MESSAGE,
} from "../fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "../helpers/lambda.ts";
import { assertNothingSecret, assertWellFormedAnswer } from "./support.ts";

let lambda: LambdaUnderTest;
/** Two memories the tool cases refer to. */
let first: { id: string; version: number };
let second: { id: string };

before(async () => {
  lambda = await loadLambda();
  const create = async (content: string): Promise<{ id: string; version: number }> => {
    const response = await lambda.invoke(functionUrlEvent({ body: toolCall("create_memory", { content }) }));
    return (response.json as { result: { structuredContent: { memory: { id: string; version: number } } } })
      .result.structuredContent.memory;
  };
  first = await create("Catalogue memory one: Ada likes green tea");
  second = await create("Catalogue memory two: Ada's passport expires in May 2031");
});
after(async () => {
  await lambda.stop();
});

function toolCall(name: string, args: unknown, id: unknown = 1): Record<string, unknown> {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}

type Layer = "transport" | "json-rpc" | "tool";

type Expected =
  /** A JSON-RPC error: the whole body compared. */
  | {
      status: number;
      error: { code: number; message: string; data?: unknown };
      id?: unknown;
      headers?: Record<string, string>;
    }
  /** A tools/call result with isError and this text. */
  | { status: 200; toolError: string }
  /** A batch answer compared whole. */
  | { status: number; body: unknown };

interface Case {
  name: string;
  layer: Layer;
  /** Event options, or a function building the event (for what the options cannot say). */
  request: EventOptions | (() => LambdaFunctionURLEvent);
  expected: Expected | (() => Expected);
}

const PING = { jsonrpc: "2.0", id: 1, method: "ping" };
const INVALID_REQUEST = -32_600;
const PARSE_ERROR = -32_700;
const UNAUTHORIZED = -32_001;
const HEADER_MISMATCH = -32_020;
const UNSUPPORTED_VERSION = -32_022;
const SUPPORTED = ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"];
const PATTERN_ID = "must be a memory id: 26 letters and digits as returned by the other tools";
const TAG_PATTERN = "must not start or end with whitespace, nor contain commas";
const NOT_JSON = "Parse error: the body is not valid JSON";
const NO_SUCH_ID = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";

function args(tool: string, issues: string): string {
  return `Invalid arguments for ${tool}: ${issues}`;
}

function stateless(
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string>,
): EventOptions {
  return { headers, body: { jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: statelessMeta() } } };
}

const CASES: Case[] = [
  // --- transport: method, route, Origin, key, Accept, Content-Type, size, encoding, parse -----------------
  ...["GET", "PUT", "DELETE", "PATCH", "HEAD"].map(
    (method): Case => ({
      name: `${method} is not the transport's method`,
      layer: "transport",
      request: { method, body: PING },
      expected: {
        status: 405,
        error: { code: INVALID_REQUEST, message: "Method Not Allowed: use POST" },
        headers: { allow: "POST" },
      },
    }),
  ),
  {
    name: "a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) is a 405 without CORS headers",
    layer: "transport",
    request: {
      method: "OPTIONS",
      anonymous: true,
      headers: { origin: "https://claude.ai", "access-control-request-method": "POST" },
    },
    expected: {
      status: 405,
      error: { code: INVALID_REQUEST, message: "Method Not Allowed: use POST" },
      headers: { allow: "POST" },
    },
  },
  ...["/", "/mcp/a/b", "/mcpx", "/MCP", "/.env", "/mcp/../admin"].map(
    (path): Case => ({
      name: `path ${path} is not the endpoint`,
      layer: "transport",
      request: { path, body: PING },
      expected: {
        status: 404,
        error: { code: INVALID_REQUEST, message: "Not Found: the MCP endpoint is POST /mcp" },
      },
    }),
  ),
  ...[
    "https://evil.example",
    "null",
    "http://claude.ai",
    "https://claude.ai.evil.example",
    "https://claude.ai/x",
  ].map(
    (origin): Case => ({
      name: `Origin ${origin} is refused before the key is looked at (DNS rebinding)`,
      layer: "transport",
      request: { anonymous: true, headers: { origin }, body: PING },
      expected: { status: 403, error: { code: INVALID_REQUEST, message: "Forbidden: Origin not allowed" } },
    }),
  ),
  ...(
    [
      ["no key at all", { anonymous: true }],
      ["a wrong Bearer key", { headers: { authorization: "Bearer not-the-key" } }],
      [
        "the key minus its last character",
        { headers: { authorization: `Bearer ${TEST_API_KEY.slice(0, -1)}` } },
      ],
      ["the key with a character appended", { headers: { authorization: `Bearer ${TEST_API_KEY}x` } }],
      ["the key in the query string only", { anonymous: true, rawQueryString: `key=${TEST_API_KEY}` }],
      [
        "the key as Basic credentials",
        { headers: { authorization: `Basic ${Buffer.from(`u:${TEST_API_KEY}`).toString("base64")}` } },
      ],
      ["a wrong x-api-key", { anonymous: true, headers: { "x-api-key": "not-the-key" } }],
      [
        "the key with a trailing space in x-api-key",
        { anonymous: true, headers: { "x-api-key": `${TEST_API_KEY} ` } },
      ],
      ["a wrong secret path", { anonymous: true, path: "/mcp/not-the-key" }],
      ["a secret path with a broken escape", { anonymous: true, path: "/mcp/%E0%A4%A" }],
      ["garbage JSON from a stranger (auth before parsing)", { anonymous: true, body: "{not json" }],
    ] as const
  ).map(
    ([name, options]): Case => ({
      name: `${name} is 401`,
      layer: "transport",
      request: { body: PING, ...options },
      expected: { status: 401, error: { code: UNAUTHORIZED, message: UNAUTHORIZED_MESSAGE } },
    }),
  ),
  ...["text/event-stream", "application/json;q=0", "text/html", "application/xml"].map(
    (accept): Case => ({
      name: `Accept: ${accept} rules JSON out`,
      layer: "transport",
      request: { headers: { accept }, body: PING },
      expected: {
        status: 406,
        error: { code: INVALID_REQUEST, message: "Not Acceptable: this server answers application/json" },
      },
    }),
  ),
  ...["", "text/plain", "application/jsonx", "application/x-www-form-urlencoded", "multipart/form-data"].map(
    (type): Case => ({
      name: `Content-Type: ${type || "(none)"} is refused`,
      layer: "transport",
      request: { headers: { "content-type": type }, body: PING },
      expected: {
        status: 415,
        error: {
          code: INVALID_REQUEST,
          message: "Unsupported Media Type: send Content-Type: application/json",
        },
      },
    }),
  ),
  ...[false, true].map(
    (base64): Case => ({
      name: `a body one byte over ${MAX_BODY_BYTES} bytes${base64 ? ", base64-encoded" : ""}`,
      layer: "transport",
      request: { base64, body: `{"pad":"${"x".repeat(MAX_BODY_BYTES - 9)}"}` },
      expected: {
        status: 413,
        error: { code: INVALID_REQUEST, message: `Payload Too Large: the limit is ${MAX_BODY_BYTES} bytes` },
      },
    }),
  ),
  {
    name: "a body of multi-byte characters over the limit in bytes, not in characters",
    layer: "transport",
    request: { body: `{"pad":"${"é".repeat(MAX_BODY_BYTES / 2)}"}` },
    expected: {
      status: 413,
      error: { code: INVALID_REQUEST, message: `Payload Too Large: the limit is ${MAX_BODY_BYTES} bytes` },
    },
  },
  ...(
    [
      ["C3 28 (a broken two-byte sequence)", [0xc3, 0x28]],
      ["ED A0 80 (an encoded surrogate)", [0xed, 0xa0, 0x80]],
      ["C0 AF (an overlong slash)", [0xc0, 0xaf]],
      ["FF (never valid)", [0xff]],
    ] as const
  ).map(
    ([name, bytes]): Case => ({
      name: `invalid UTF-8 ${name} is a parse error, never replaced`,
      layer: "transport",
      request: () => {
        const event = functionUrlEvent({ base64: true });
        event.body = Buffer.concat([
          Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"'),
          Buffer.from(bytes),
          Buffer.from('"}}'),
        ]).toString("base64");
        return event;
      },
      expected: {
        status: 400,
        error: { code: PARSE_ERROR, message: "Parse error: the body is not valid UTF-8" },
      },
    }),
  ),
  ...(
    [
      ["an empty body", ""],
      ["no body at all", undefined],
      ["truncated JSON", '{"jsonrpc":"2.0","id":1,'],
      ["single-quoted JSON", "{'jsonrpc':'2.0'}"],
      ["a trailing comma", '{"jsonrpc":"2.0","id":1,"method":"ping",}'],
      ["NaN", '{"jsonrpc":"2.0","id":NaN,"method":"ping"}'],
      ["a comment", '{"jsonrpc":"2.0"/* hi */,"id":1,"method":"ping"}'],
      ["two documents", `${JSON.stringify(PING)}${JSON.stringify(PING)}`],
    ] as const
  ).map(
    ([name, body]): Case => ({
      name: `${name} is -32700`,
      layer: "transport",
      request: body === undefined ? {} : { body },
      expected: { status: 400, error: { code: PARSE_ERROR, message: NOT_JSON } },
    }),
  ),

  // --- JSON-RPC ---------------------------------------------------------------------------------------
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
  {
    name: "an unsupported MCP-Protocol-Version header",
    layer: "json-rpc",
    request: { headers: { "mcp-protocol-version": "2024-11-05" }, body: PING },
    expected: {
      status: 400,
      id: 1,
      error: {
        code: UNSUPPORTED_VERSION,
        message: "Unsupported protocol version",
        data: { supported: SUPPORTED, requested: "2024-11-05" },
      },
    },
  },
  {
    name: "a notification under an unsupported version is refused, not swallowed",
    layer: "json-rpc",
    request: {
      headers: { "mcp-protocol-version": "1999-01-01" },
      body: { jsonrpc: "2.0", method: "notifications/initialized" },
    },
    expected: {
      status: 400,
      error: {
        code: UNSUPPORTED_VERSION,
        message: "Unsupported protocol version",
        data: { supported: SUPPORTED, requested: "1999-01-01" },
      },
    },
  },
  {
    name: "initialize without a protocolVersion",
    layer: "json-rpc",
    request: { body: { jsonrpc: "2.0", id: 1, method: "initialize", params: { capabilities: {} } } },
    expected: {
      status: 200,
      id: 1,
      error: { code: -32602, message: 'Invalid params: initialize needs "protocolVersion" (a string)' },
    },
  },
  {
    name: "tools/list with a cursor it did not make",
    layer: "json-rpc",
    request: {
      body: { jsonrpc: "2.0", id: 1, method: "tools/list", params: { cursor: "dG9vbHM6OTk5OTk5OQ" } },
    },
    expected: {
      status: 200,
      id: 1,
      error: { code: -32602, message: "Invalid params: unknown cursor for tools/list" },
    },
  },
  {
    name: "tools/call without a name",
    layer: "json-rpc",
    request: { body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { arguments: {} } } },
    expected: {
      status: 200,
      id: 1,
      error: { code: -32602, message: 'Invalid params: tools/call needs "name" (a string)' },
    },
  },
  {
    name: "tools/call of a tool that does not exist",
    layer: "json-rpc",
    request: { body: toolCall("constructor", {}) },
    expected: {
      status: 200,
      id: 1,
      error: {
        code: -32602,
        message:
          'Unknown tool: "constructor". Available tools: create_memory, search_memories, list_memories, get_memory, update_memory, delete_memory',
      },
    },
  },
  {
    name: "a 2026-07-28 request without its _meta",
    layer: "json-rpc",
    request: {
      headers: statelessHeaders("tools/list"),
      body: { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
    },
    expected: {
      status: 400,
      id: 1,
      error: {
        code: -32602,
        message:
          'Invalid params: a 2026-07-28 request needs params._meta with "io.modelcontextprotocol/protocolVersion" (a string) and "io.modelcontextprotocol/clientCapabilities" (an object)',
      },
    },
  },
  {
    name: "a 2026-07-28 request without Mcp-Method",
    layer: "json-rpc",
    request: stateless("tools/list", {}, { "mcp-protocol-version": "2026-07-28" }),
    expected: {
      status: 400,
      id: 1,
      error: { code: HEADER_MISMATCH, message: "Header mismatch: the Mcp-Method header is required" },
    },
  },
  {
    name: "a 2026-07-28 tools/call whose Mcp-Name names another tool",
    layer: "json-rpc",
    request: stateless(
      "tools/call",
      { name: "list_memories", arguments: {} },
      statelessHeaders("tools/call", "delete_memory"),
    ),
    expected: {
      status: 400,
      id: 1,
      error: {
        code: HEADER_MISMATCH,
        message:
          'Header mismatch: Mcp-Name header value "delete_memory" does not match body value "list_memories"',
      },
    },
  },
  {
    name: "a 2026-07-28 tools/call whose name nests 100,000 arrays deep (was a -32603)",
    layer: "json-rpc",
    request: {
      headers: statelessHeaders("tools/call", "list_memories"),
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":${JSON.stringify(statelessMeta())},"name":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`,
    },
    expected: {
      status: 400,
      id: 1,
      error: {
        code: HEADER_MISMATCH,
        message:
          'Header mismatch: Mcp-Name header value "list_memories" does not match body value "(an array)"',
      },
    },
  },
  {
    name: "a 2026-07-28 Mcp-Name that is a broken base64 sentinel",
    layer: "json-rpc",
    request: stateless(
      "tools/call",
      { name: "list_memories", arguments: {} },
      statelessHeaders("tools/call", "=?base64?@@@?="),
    ),
    expected: {
      status: 400,
      id: 1,
      error: { code: HEADER_MISMATCH, message: "Header mismatch: Mcp-Name is not valid base64 sentinel" },
    },
  },
  {
    name: "initialize in the stateless era, which removed it",
    layer: "json-rpc",
    request: stateless("initialize", {}, statelessHeaders("initialize")),
    expected: { status: 404, id: 1, error: { code: -32601, message: "Method not found: initialize" } },
  },

  // --- tool arguments (SEP-1303: a tool result with isError, never a protocol error) -------------------
  ...(
    [
      [
        "create_memory without content",
        "create_memory",
        {},
        'arguments: missing required property "content"',
      ],
      [
        "empty content",
        "create_memory",
        { content: "" },
        '"content": must NOT have fewer than 1 characters; "content": must contain some non-whitespace text',
      ],
      [
        "whitespace-only content",
        "create_memory",
        { content: " \n\t " },
        '"content": must contain some non-whitespace text',
      ],
      [
        "content of 10,001 characters",
        "create_memory",
        { content: "x".repeat(10_001) },
        '"content": must NOT have more than 10000 characters',
      ],
      ["numeric content", "create_memory", { content: 42 }, '"content": must be string'],
      [
        "content holding half an emoji (a lone surrogate)",
        "create_memory",
        { content: "my daughter \ud83d" },
        '"content": must be well-formed Unicode text (it holds half of a surrogate pair, as when an emoji is cut)',
      ],
      [
        "eleven tags",
        "create_memory",
        { content: "c", tags: Array(11).fill("t") },
        '"tags": must NOT have more than 10 items',
      ],
      ["a tag with a comma", "create_memory", { content: "c", tags: ["a,b"] }, `"tags.0": ${TAG_PATTERN}`],
      [
        "a tag of 41 characters",
        "create_memory",
        { content: "c", tags: ["t".repeat(41)] },
        '"tags.0": must NOT have more than 40 characters',
      ],
      [
        "a tag with a leading space",
        "create_memory",
        { content: "c", tags: [" family"] },
        `"tags.0": ${TAG_PATTERN}`,
      ],
      ["tags as a string", "create_memory", { content: "c", tags: "family" }, '"tags": must be array'],
      [
        "an unknown argument",
        "create_memory",
        { content: "c", importance: 5 },
        'arguments: unknown property "importance"',
      ],
      ["arguments as an array", "create_memory", ["c"], "arguments: must be object"],
      [
        "an empty query",
        "search_memories",
        { query: "" },
        '"query": must NOT have fewer than 1 characters; "query": must contain some non-whitespace text',
      ],
      [
        "a query of 501 characters",
        "search_memories",
        { query: "q".repeat(501) },
        '"query": must NOT have more than 500 characters',
      ],
      ["a search limit of 26", "search_memories", { query: "tea", limit: 26 }, '"limit": must be <= 25'],
      ["a search limit of 0", "search_memories", { query: "tea", limit: 0 }, '"limit": must be >= 1'],
      ["a list limit of 51", "list_memories", { limit: 51 }, '"limit": must be <= 50'],
      ["a fractional list limit", "list_memories", { limit: 1.5 }, '"limit": must be integer'],
      [
        "a cursor of 513 characters",
        "list_memories",
        { cursor: "c".repeat(513) },
        '"cursor": must NOT have more than 512 characters',
      ],
      ["an id of the wrong shape", "get_memory", { id: "123" }, `"id": ${PATTERN_ID}`],
      [
        "an id with the letter U (not Crockford)",
        "delete_memory",
        { id: "U".repeat(26) },
        `"id": ${PATTERN_ID}`,
      ],
      ["an update that changes nothing named", "update_memory", { id: NO_SUCH_ID }, null],
      [
        "an expectedVersion of 0",
        "update_memory",
        { id: NO_SUCH_ID, content: "c", expectedVersion: 0 },
        '"expectedVersion": must be >= 1',
      ],
    ] as const
  ).map(
    ([name, tool, toolArgs, issues]): Case => ({
      name: `${tool}: ${name}`,
      layer: "tool",
      request: { body: toolCall(tool, toolArgs) },
      expected: {
        status: 200,
        toolError:
          issues === null
            ? 'Invalid arguments for update_memory: give "content", "tags" or both to change.'
            : args(tool, issues),
      },
    }),
  ),
  {
    name: "create_memory: a `__proto__` argument is an unknown property, not a prototype",
    layer: "tool",
    request: {
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_memory","arguments":{"content":"c","__proto__":{"tags":["x"]}}}}',
    },
    expected: { status: 200, toolError: args("create_memory", 'arguments: unknown property "__proto__"') },
  },
  {
    name: "list_memories: a forged cursor",
    layer: "tool",
    request: {
      body: toolCall("list_memories", {
        cursor: "eyJ2IjoxLCJzayI6Ik0jWiIsImYiOiJ4In0.AAAAAAAAAAAAAAAAAAAAAA",
      }),
    },
    expected: {
      status: 200,
      toolError:
        "The cursor is not valid: pass the nextCursor of the previous page unchanged, or omit it to start over.",
    },
  },
  {
    name: "get_memory: an id no memory has",
    layer: "tool",
    request: { body: toolCall("get_memory", { id: NO_SUCH_ID }) },
    expected: {
      status: 200,
      toolError: `No memory has id ${NO_SUCH_ID}. Use search_memories or list_memories to find the right id.`,
    },
  },
  {
    name: "update_memory: an id no memory has",
    layer: "tool",
    request: { body: toolCall("update_memory", { id: NO_SUCH_ID, content: "c" }) },
    expected: { status: 200, toolError: `No memory has id ${NO_SUCH_ID}.` },
  },
  {
    name: "update_memory: a stale expectedVersion",
    layer: "tool",
    request: () =>
      functionUrlEvent({
        body: toolCall("update_memory", { id: first.id, content: "changed", expectedVersion: 7 }),
      }),
    expected: () => ({
      status: 200,
      toolError: `Memory ${first.id} is at version 1, not 7: it changed since you read it. Get it again and reapply your change to the current content.`,
    }),
  },
  {
    name: "update_memory: content another memory already holds",
    layer: "tool",
    request: () =>
      functionUrlEvent({
        body: toolCall("update_memory", {
          id: first.id,
          content: "  Catalogue memory two:\nAda's passport expires in May 2031 ",
        }),
      }),
    expected: () => ({
      status: 200,
      toolError: `Memory ${second.id} already holds this content; update or delete that memory instead.`,
    }),
  },
  {
    name: "delete_memory: an id no memory has",
    layer: "tool",
    request: { body: toolCall("delete_memory", { id: NO_SUCH_ID }) },
    expected: { status: 200, toolError: `No memory has id ${NO_SUCH_ID}.` },
  },
];

describe("bad-input catalogue", () => {
  test("holds at least 60 named cases across the three layers", () => {
    const counts = { transport: 0, "json-rpc": 0, tool: 0 };
    for (const c of CASES) counts[c.layer]++;
    assert.ok(CASES.length >= 60, `${CASES.length} cases`);
    assert.ok(
      Object.values(counts).every((n) => n >= 15),
      JSON.stringify(counts),
    );
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, "names are unique");
  });

  for (const c of CASES) {
    test(`[${c.layer}] ${c.name}`, async () => {
      const event = typeof c.request === "function" ? c.request() : functionUrlEvent(c.request);
      const answer = await lambda.invoke(event);
      const requestText = `${event.rawPath}\n${JSON.stringify(event.headers)}\n${event.body ?? ""}`;
      assertWellFormedAnswer(answer, requestText);
      const expected = typeof c.expected === "function" ? c.expected() : c.expected;
      if ("toolError" in expected) {
        assert.deepEqual(
          { status: answer.status, json: answer.json },
          {
            status: 200,
            json: {
              jsonrpc: "2.0",
              id: 1,
              result: { content: [{ type: "text", text: expected.toolError }], isError: true },
            },
          },
        );
      } else if ("body" in expected) {
        assert.equal(answer.status, expected.status);
        if (typeof expected.body === "string") assert.equal(answer.body, expected.body);
        else assert.deepEqual(answer.json, expected.body);
      } else {
        assert.deepEqual(
          { status: answer.status, json: answer.json },
          {
            status: expected.status,
            json: { jsonrpc: "2.0", id: expected.id ?? null, error: expected.error },
          },
        );
        for (const [name, value] of Object.entries(expected.headers ?? {}))
          assert.equal(answer.headers[name], value, name);
      }
    });
  }

  test("nothing above changed the two memories, and no log line holds a key or their content", async () => {
    const response = await lambda.invoke(functionUrlEvent({ body: toolCall("list_memories", {}) }));
    const { memories } = (
      response.json as { result: { structuredContent: { memories: { id: string; version: number }[] } } }
    ).result.structuredContent;
    assert.deepEqual(
      memories.map((m) => [m.id, m.version]),
      [
        [second.id, 1],
        [first.id, 1],
      ],
    );
    assertNothingSecret(
      lambda.takeLogs().join("\n"),
      ["Ada likes green tea", "passport expires"],
      "the request log",
    );
  });
});
