// Bad inputs at the MCP layer above JSON-RPC: unsupported protocol versions, initialize, tools/list and
// tools/call without what they need, and 2026-07-28 requests whose _meta or Mcp-* headers are missing or wrong.
import { statelessHeaders, statelessMeta } from "../fixtures/events.ts";
import {
  type Case,
  HEADER_MISMATCH,
  PING,
  SUPPORTED,
  stateless,
  toolCall,
  UNSUPPORTED_VERSION,
} from "./bad-input-cases.ts";

export const mcpCases: Case[] = [
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
];
