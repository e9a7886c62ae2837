// fast-check arbitraries of JSON-RPC messages for the hardening fuzzers: messages as text that know the text
// of their own id, and 2026-07-28 requests with the MCP headers that repeat parts of their body.
import fc from "fast-check";
import { TOOL_NAMES } from "../helpers/tool-names.ts";
import { deepJson, jsonNumber, jsonString, jsonText, scalarJson } from "./generators-json.ts";

export const STATELESS_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "fuzz", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

/** The methods a message names, known and not. */
export const METHODS = [
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
