// The client's side of a session: the Function URL events of a cold session (what an MCP client sends first,
// in order) and the checks that each subject really answered them, so no figure comes from a broken run.
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { functionUrlEvent } from "../test/fixtures/events.ts";

export const PROTOCOL_VERSION = "2025-11-25";

export interface SessionRequest {
  label: RequestLabel;
  event: LambdaFunctionURLEvent;
}

export const REQUEST_LABELS = ["initialize", "initialized", "tools/list", "create", "search"] as const;
export type RequestLabel = (typeof REQUEST_LABELS)[number];

export const MEMORY_CONTENT = "My daughter Alice was born on 14 March 2019 and loves dinosaurs.";
export const SEARCH_QUERY = "when is my daughter's birthday";

/** Headers a 2025-11-25 client sends after initialize. */
const SESSION_HEADERS = { "mcp-protocol-version": PROTOCOL_VERSION };

export function rpcEvent(id: number | undefined, method: string, params?: unknown): LambdaFunctionURLEvent {
  return functionUrlEvent({
    headers: method === "initialize" ? {} : SESSION_HEADERS,
    body: {
      jsonrpc: "2.0",
      ...(id === undefined ? {} : { id }),
      method,
      ...(params === undefined ? {} : { params }),
    },
  });
}

export function createEvent(id: number, content: string): LambdaFunctionURLEvent {
  return rpcEvent(id, "tools/call", {
    name: "create_memory",
    arguments: { content, tags: ["family"] },
  });
}

export function searchEvent(id: number): LambdaFunctionURLEvent {
  return rpcEvent(id, "tools/call", { name: "search_memories", arguments: { query: SEARCH_QUERY } });
}

export function initializeEvent(): LambdaFunctionURLEvent {
  return rpcEvent(0, "initialize", {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: "memory-mcp-bench", version: "1.0.0" },
  });
}

export function coldSession(): SessionRequest[] {
  return [
    { label: "initialize", event: initializeEvent() },
    { label: "initialized", event: rpcEvent(undefined, "notifications/initialized") },
    { label: "tools/list", event: rpcEvent(1, "tools/list") },
    { label: "create", event: createEvent(2, MEMORY_CONTENT) },
    { label: "search", event: searchEvent(3) },
  ];
}

export interface HandlerResponse {
  statusCode?: number;
  headers?: Record<string, string | number | boolean | undefined>;
  body?: string;
}

/**
 * The JSON-RPC message in a response body: plain JSON, or the one `data:` line of an SSE stream (the SDK v2
 * legacy leg frames its answers as text/event-stream).
 */
export function messageOf(body: string): unknown {
  const trimmed = body.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return JSON.parse(trimmed);
  const data = trimmed
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trim())
    .filter((line) => line.startsWith("{"));
  if (data.length !== 1)
    throw new Error(`expected one JSON-RPC message in the body, got: ${body.slice(0, 200)}`);
  return JSON.parse(data[0] as string); // length checked above
}

/**
 * Throws unless `response` is a real answer to the request `label`. Full MCP subjects must also return the
 * tools and find the memory; the floors only need to have made their DynamoDB call without error.
 */
export function checkResponse(label: RequestLabel, response: HandlerResponse, fullMcp: boolean): void {
  const status = response.statusCode ?? 200;
  const body = response.body ?? "";
  if (label === "initialized") {
    if (status !== 202) throw new Error(`initialized: expected 202, got ${status} ${body.slice(0, 200)}`);
    return;
  }
  if (status !== 200) throw new Error(`${label}: expected 200, got ${status} ${body.slice(0, 300)}`);
  const message = messageOf(body) as { result?: Record<string, unknown>; error?: unknown };
  const result = message.result;
  if (result === undefined) throw new Error(`${label}: no result in ${body.slice(0, 300)}`);
  if (result.isError === true) throw new Error(`${label}: tool error ${body.slice(0, 300)}`);
  if (!fullMcp) return;
  switch (label) {
    case "initialize":
      if (typeof result.protocolVersion !== "string") throw new Error(`initialize: ${body.slice(0, 300)}`);
      return;
    case "tools/list": {
      const names = Array.isArray(result.tools)
        ? result.tools.map((tool: { name?: unknown }) => tool.name)
        : [];
      if (!names.includes("create_memory") || !names.includes("search_memories"))
        throw new Error(`tools/list: missing tools in ${body.slice(0, 300)}`);
      return;
    }
    case "create":
      return;
    case "search": {
      const found = (result.structuredContent as { results?: unknown[] } | undefined)?.results;
      if (!Array.isArray(found) || found.length === 0)
        throw new Error(`search: the memory was not found: ${body.slice(0, 300)}`);
      return;
    }
  }
}
