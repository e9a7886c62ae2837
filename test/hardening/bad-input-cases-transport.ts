// Bad inputs at the transport: method, route, Origin, key, Accept, Content-Type, size, encoding and parse,
// each refused with its status and JSON-RPC error before any message is looked at.
import { MAX_BODY_BYTES } from "../../src/protocol/http.ts";
import { functionUrlEvent, TEST_API_KEY, UNAUTHORIZED_MESSAGE } from "../fixtures/events.ts";
import { type Case, INVALID_REQUEST, NOT_JSON, PARSE_ERROR, PING, UNAUTHORIZED } from "./bad-input-cases.ts";

export const transportCases: Case[] = [
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
];
