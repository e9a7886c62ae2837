// fast-check arbitraries of the transport for the HTTP fuzzer: methods, paths, headers and bodies, each tagged
// with whether the server must accept it (true), refuse it (false) or either (undefined).
import fc from "fast-check";
import { ROTATED_API_KEY, TEST_API_KEY } from "../fixtures/events.ts";
import { TOOL_NAMES } from "../helpers/tool-names.ts";
import { anyText, deepJson, jsonText } from "./generators-json.ts";
import { METHODS, type MessageText, messageText } from "./generators-messages.ts";

/** A value with a verdict: true must pass its check, false must fail it, undefined is not known. */
export interface Choice<T> {
  value: T;
  ok: boolean | undefined;
}

function choice<T>(value: T, ok: boolean | undefined): Choice<T> {
  return { value, ok };
}

export const httpMethod: fc.Arbitrary<Choice<string>> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(choice("POST", true)) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "post", "TRACE")
      .map((method) => choice(method, false)),
  },
);

/** The route, and the key the path carries (undefined: none). */
export interface PathChoice {
  path: string;
  routed: boolean | undefined;
  pathKey: boolean | undefined | "none";
}

export const requestPath: fc.Arbitrary<PathChoice> = fc.oneof(
  { weight: 10, arbitrary: fc.constant<PathChoice>({ path: "/mcp", routed: true, pathKey: "none" }) },
  { weight: 1, arbitrary: fc.constant<PathChoice>({ path: "/mcp/", routed: true, pathKey: "none" }) },
  {
    weight: 2,
    arbitrary: fc.constant<PathChoice>({
      path: `/mcp/${encodeURIComponent(TEST_API_KEY)}`,
      routed: true,
      pathKey: true,
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("/mcp/wrong", "/mcp/%", "/mcp/%E0%A4%A", `/mcp/${TEST_API_KEY}x`, "/mcp/%00")
      .map((path): PathChoice => ({ path, routed: true, pathKey: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("/", "/mcp/a/b", "/mcpx", "/MCP", "/mcp//", "/.env")
      .map((path): PathChoice => ({ path, routed: false, pathKey: "none" })),
  },
  {
    weight: 1,
    // A Function URL's rawPath (and a URL's pathname) always starts with "/".
    arbitrary: anyText(20).map(
      (path): PathChoice => ({ path: `/${path}`, routed: undefined, pathKey: undefined }),
    ),
  },
);

/** undefined value: the header is absent. */
export interface Headers {
  origin: Choice<string | undefined>;
  /** ok: a Bearer token that is a valid key (true) or not (false); "none": not a Bearer header at all. */
  authorization: { value: string | undefined; bearer: boolean | "none" | undefined };
  apiKey: Choice<string | undefined>;
  accept: Choice<string | undefined>;
  contentType: Choice<string | undefined>;
  protocolVersion: string | undefined;
  mcpMethod: string | undefined;
  mcpName: string | undefined;
  extra: [string, string][];
}

export const headers: fc.Arbitrary<Headers> = fc.record({
  origin: fc.oneof(
    { weight: 10, arbitrary: fc.constant(choice(undefined, true)) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          "https://claude.ai",
          "https://www.claude.ai",
          "https://claude.com",
          "https://a.b.claude.com",
        )
        .map((origin) => choice<string | undefined>(origin, true)),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          "https://evil.example",
          "null",
          "http://claude.ai",
          "https://claude.ai.evil.example",
          "https://claude.ai/path",
        )
        .map((origin) => choice<string | undefined>(origin, false)),
    },
    { weight: 1, arbitrary: anyText(20).map((origin) => choice<string | undefined>(origin, undefined)) },
  ),
  authorization: fc.oneof(
    { weight: 10, arbitrary: fc.constant({ value: `Bearer ${TEST_API_KEY}`, bearer: true as const }) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(`bearer ${ROTATED_API_KEY}`, `BEARER\t${TEST_API_KEY} `)
        .map((value) => ({ value, bearer: true as const })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom("Bearer wrong", `Bearer ${TEST_API_KEY.slice(0, -1)}`, `Bearer ${TEST_API_KEY}x`)
        .map((value) => ({ value, bearer: false as const })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(undefined, `Basic ${Buffer.from(`u:${TEST_API_KEY}`).toString("base64")}`, `Bearer`)
        .map((value) => ({ value, bearer: "none" as const })),
    },
    { weight: 1, arbitrary: anyText(30).map((value) => ({ value, bearer: undefined })) },
  ),
  apiKey: fc.oneof(
    { weight: 6, arbitrary: fc.constant(choice<string | undefined>(undefined, false)) },
    { weight: 2, arbitrary: fc.constant(choice<string | undefined>(TEST_API_KEY, true)) },
    { weight: 1, arbitrary: fc.constant(choice<string | undefined>(`${TEST_API_KEY} `, false)) },
    { weight: 1, arbitrary: anyText(30).map((value) => choice<string | undefined>(value, undefined)) },
  ),
  accept: fc.oneof(
    {
      weight: 10,
      arbitrary: fc
        .constantFrom(undefined, "application/json, text/event-stream", "*/*", "application/*;q=0.5")
        .map((value) => choice(value, true)),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom("text/event-stream", "application/json;q=0", "text/html", "application/xml")
        .map((value) => choice<string | undefined>(value, false)),
    },
    { weight: 1, arbitrary: anyText(30).map((value) => choice<string | undefined>(value, undefined)) },
  ),
  contentType: fc.oneof(
    {
      weight: 10,
      arbitrary: fc
        .constantFrom("application/json", "application/json; charset=utf-8", "APPLICATION/JSON")
        .map((value) => choice<string | undefined>(value, true)),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(undefined, "text/plain", "application/jsonx", "multipart/form-data")
        .map((value) => choice(value, false)),
    },
    { weight: 1, arbitrary: anyText(30).map((value) => choice<string | undefined>(value, undefined)) },
  ),
  protocolVersion: fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: fc.constantFrom("2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"),
    },
    { weight: 1, arbitrary: anyText(12) },
  ),
  mcpMethod: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constantFrom(...METHODS) },
    { weight: 1, arbitrary: anyText(12) },
  ),
  mcpName: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constantFrom(...TOOL_NAMES) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.base64String({ maxLength: 16 }).map((encoded) => `=?base64?${encoded}?=`),
        anyText(12).map((text) => `=?base64?${text}?=`),
        anyText(12),
      ),
    },
  ),
  extra: fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom("__proto__", "constructor", "x-forwarded-for", "cookie"),
        fc.stringMatching(/^[a-z-]{1,12}$/),
      ),
      anyText(20),
    ),
    { maxLength: 3 },
  ),
});

/** A request body as the Lambda event carries it: text (maybe base64 of it) or raw bytes as base64. */
export interface BodyChoice {
  /** The body text, or undefined for no body. */
  text: string | undefined;
  /** Raw bytes to send base64-encoded instead of text (e.g. invalid UTF-8). */
  bytes?: Uint8Array;
  base64: boolean;
  /** A single message whose id the answer must echo, or a batch of them. */
  messages?: MessageText[];
  batch?: boolean;
  /** Known to be over the size limit. */
  oversized?: boolean;
  /** Known not to be UTF-8 / JSON. */
  unparseable?: boolean;
}

const INVALID_UTF8 = [
  [0xc3, 0x28],
  [0xa0, 0xa1],
  [0xe2, 0x28, 0xa1],
  [0xf0, 0x28, 0x8c, 0xbc],
  [0xed, 0xa0, 0x80],
  [0xff],
  [0xc0, 0xaf],
];

export const body: fc.Arbitrary<BodyChoice> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(messageText, fc.boolean())
      .map(([message, base64]): BodyChoice => ({ text: message.text, base64, messages: [message] })),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.array(messageText, { minLength: 0, maxLength: 22 }), fc.boolean()).map(
      ([messages, base64]): BodyChoice => ({
        text: `[${messages.map((message) => message.text).join(",")}]`,
        base64,
        messages,
        batch: true,
      }),
    ),
  },
  { weight: 2, arbitrary: fc.tuple(jsonText, fc.boolean()).map(([text, base64]) => ({ text, base64 })) },
  {
    weight: 2,
    arbitrary: fc.tuple(messageText, fc.nat()).map(
      ([message, cut]): BodyChoice => ({
        text: message.text.slice(0, cut % message.text.length),
        base64: false,
      }),
    ),
  },
  { weight: 1, arbitrary: anyText(60).map((text) => ({ text, base64: false })) },
  { weight: 1, arbitrary: deepJson.map((text) => ({ text, base64: false })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat(30)).map(([bad, at]): BodyChoice => {
      const text = Buffer.from(
        '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"abcdefghijklmnopqrstuvwxyz"}}',
      );
      const position = 40 + (at % 26);
      const bytes = Buffer.concat([text.subarray(0, position), Buffer.from(bad), text.subarray(position)]);
      return { text: undefined, bytes, base64: true, unparseable: true };
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1, 1.5, 3).map(
      (factor): BodyChoice => ({
        text: `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${"é".repeat(Math.ceil((256 * 1024 * factor) / 2))}"}}`,
        base64: factor === 3,
        oversized: true,
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<BodyChoice>({ text: undefined, base64: false }, { text: "", base64: false }),
  },
);
