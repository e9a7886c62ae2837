// fast-check arbitraries for the hardening fuzzers: JSON text written piece by piece (so raw number
// literals, duplicate keys, escapes and `__proto__` keys survive), JSON-RPC messages that know their own
// id text, and transport choices tagged with whether the server must accept them.
import fc from "fast-check";
import { ROTATED_API_KEY, TEST_API_KEY } from "../fixtures/events.ts";

/** Characters that break naive handling: controls, quotes, escapes, lone surrogates, BOM, separators. */
const AWKWARD_CHARS = [
  "\u0000",
  "\u001f",
  '"',
  "\\",
  "/",
  "\ud800",
  "\udfff",
  "\ufeff",
  "\u2028",
  "\u0301",
  "😀",
  "é",
  "\n",
  " ",
  ",",
  "%",
  "=?base64?",
];

/** Any text, with awkward characters over-represented. */
export const anyText = (maxLength = 30): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: "binary", maxLength }),
    fc
      .array(fc.oneof(fc.constantFrom(...AWKWARD_CHARS), fc.string({ maxLength: 2 })), { maxLength })
      .map((parts) => parts.join("")),
  );

/** JSON string literals, some spelled with escapes that JSON.parse resolves (\u0069, \ud800, \/). */
export const jsonString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: anyText().map((text) => JSON.stringify(text)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('"\\ud800"', '"\\udc00x"', '"\\u0000"', '"\\/"', '"a\\u0069"', '"\\uFEFF"'),
  },
);

/** JSON number literals, including ones a double cannot carry exactly. */
export const jsonNumber: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.integer({ min: 0, max: 20 }).map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
  fc.constantFrom(
    "9007199254740993",
    "-9007199254740993",
    "1e400",
    "-1e400",
    "1e-400",
    "1.00000000000000000001",
    "0.1e1",
    "1E2",
    "-0",
    "0.0",
    "123456789012345678901234567890",
  ),
);

const scalarJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("null", "true", "false"),
  jsonNumber,
  jsonString,
);

const MEMBER_NAMES = [
  "jsonrpc",
  "id",
  "method",
  "params",
  "result",
  "error",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "name",
  "arguments",
  "_meta",
  "content",
  "tags",
];

const memberName: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...MEMBER_NAMES), anyText(8));

/** Arbitrary JSON text, written by hand so that raw literals, duplicate and `__proto__` keys survive. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalarJson,
    fc.array(tie("value"), { maxLength: 4 }).map((items) => `[${items.join(",")}]`),
    fc
      .array(fc.tuple(memberName, tie("value")), { maxLength: 4 })
      .map((members) => `{${members.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`),
  ),
})).value;

/** Deep nesting that a recursive parser or serialiser would choke on. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 10_000, max: 120_000 }), fc.constantFrom("array", "object"))
  .map(([depth, kind]) => {
    if (kind === "array") return "[".repeat(depth) + "]".repeat(depth);
    const levels = Math.min(depth, 40_000); // six bytes a level: stays under the 256 KiB limit
    return `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
  });

export const TOOL_NAMES = [
  "create_memory",
  "search_memories",
  "list_memories",
  "get_memory",
  "update_memory",
  "delete_memory",
] as const;

export const STATELESS_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "fuzz", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

const METHODS = [
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "server/discover",
  "notifications/initialized",
  "notifications/cancelled",
  "resources/list",
  "",
];

const paramsText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant("{}") },
  {
    weight: 4,
    arbitrary: fc
      .record(
        {
          name: fc.oneof(
            fc.constantFrom(...TOOL_NAMES).map((name) => JSON.stringify(name)),
            jsonText,
          ),
          arguments: fc.oneof(jsonText, fc.constant("{}"), fc.constant('{"content":"fuzz note"}')),
          _meta: fc.oneof(fc.constant(JSON.stringify(STATELESS_META)), jsonText),
          protocolVersion: fc.oneof(
            fc.constantFrom('"2025-11-25"', '"2025-03-26"', '"2024-11-05"'),
            jsonString,
          ),
          cursor: fc.oneof(jsonString, jsonNumber),
        },
        { requiredKeys: [] },
      )
      .map(
        (members) =>
          `{${Object.entries(members)
            .map(([key, value]) => `${JSON.stringify(key)}:${value}`)
            .join(",")}}`,
      ),
  },
  { weight: 1, arbitrary: jsonText },
);

/** A JSON-RPC-like message as text, with the text of its effective (last) `id` member, if any. */
export interface MessageText {
  text: string;
  /** Raw text of the id JSON.parse keeps (the last `id` member), or undefined when there is none. */
  idText: string | undefined;
}

export const idText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: jsonNumber },
  { weight: 3, arbitrary: jsonString },
  { weight: 1, arbitrary: fc.constantFrom("null", "true", "{}", "[]", '{"id":1}') },
);

export const messageText: fc.Arbitrary<MessageText> = fc
  .record(
    {
      jsonrpc: fc.oneof({ weight: 8, arbitrary: fc.constant('"2.0"') }, { weight: 1, arbitrary: scalarJson }),
      id: idText,
      method: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...METHODS).map((method) => JSON.stringify(method)) },
        { weight: 1, arbitrary: scalarJson },
      ),
      params: paramsText,
      result: jsonText,
      error: jsonText,
      extraId: idText,
      protoKey: jsonText,
    },
    { requiredKeys: ["jsonrpc"] },
  )
  .chain((members) =>
    fc
      .shuffledSubarray(Object.entries(members), { minLength: Object.keys(members).length })
      .map((entries) => {
        let id: string | undefined;
        const text = `{${entries
          .map(([key, value]) => {
            // A second `id` member (JSON.parse keeps the last) and an own `__proto__` member.
            const name = key === "extraId" ? "id" : key === "protoKey" ? "__proto__" : key;
            if (name === "id") id = value;
            return `${JSON.stringify(name)}:${value}`;
          })
          .join(",")}}`;
        return { text, idText: id };
      }),
  );

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

/** A message together with the MCP request headers it travels with (undefined: absent). */
export interface Exchange {
  message: MessageText;
  headers?: {
    protocolVersion: string | undefined;
    mcpMethod: string | undefined;
    mcpName: string | undefined;
  };
}

/**
 * 2026-07-28 requests, whose headers repeat parts of the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name):
 * consistent, mismatched, base64-sentinel encoded, and with names of every JSON type, deeply nested ones too.
 */
export const statelessExchange: fc.Arbitrary<Exchange> = fc
  .record({
    id: idText,
    method: fc.constantFrom("tools/call", "tools/list", "server/discover", "ping", "initialize"),
    name: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...TOOL_NAMES).map((name) => JSON.stringify(name)) },
      { weight: 2, arbitrary: jsonString },
      { weight: 1, arbitrary: jsonText },
      { weight: 1, arbitrary: deepJson },
    ),
    arguments: fc.oneof(fc.constant("{}"), jsonText),
    meta: fc.oneof(
      { weight: 6, arbitrary: fc.constant(JSON.stringify(STATELESS_META)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "{}",
          '{"io.modelcontextprotocol/protocolVersion":"2025-06-18","io.modelcontextprotocol/clientCapabilities":{}}',
          '{"io.modelcontextprotocol/protocolVersion":"1999-01-01","io.modelcontextprotocol/clientCapabilities":{}}',
          '{"io.modelcontextprotocol/protocolVersion":2026,"io.modelcontextprotocol/clientCapabilities":[]}',
        ),
      },
      { weight: 1, arbitrary: jsonText },
    ),
    header: fc.constantFrom("same", "other", "base64", "absent", "garbage"),
    versionHeader: fc.constantFrom("2026-07-28", "2026-07-28", "2025-11-25", undefined),
    methodHeader: fc.constantFrom("same", "same", "other", "absent"),
  })
  .map((parts): Exchange => {
    const text = `{"jsonrpc":"2.0","id":${parts.id},"method":${JSON.stringify(parts.method)},"params":{"_meta":${parts.meta},"name":${parts.name},"arguments":${parts.arguments}}}`;
    const name: unknown = JSON.parse(parts.name);
    const nameText = typeof name === "string" ? name : "create_memory";
    const mcpName = {
      same: nameText,
      other: "get_memory",
      base64: `=?base64?${Buffer.from(nameText, "utf8").toString("base64")}?=`,
      absent: undefined,
      garbage: "=?base64?***?=",
    }[parts.header];
    const exchange: Exchange = {
      message: { text, idText: parts.id },
      headers: {
        protocolVersion: parts.versionHeader,
        mcpMethod: { same: parts.method, other: "tools/list", absent: undefined }[parts.methodHeader],
        mcpName,
      },
    };
    return exchange;
  });
