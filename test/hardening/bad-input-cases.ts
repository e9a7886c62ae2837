// The shape of the bad-input catalogue (bad-inputs.test.ts): a case names one hostile or broken request, the
// layer it aims at and the exact answer it must get; with the constants and request builders the cases share.
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { type EventOptions, statelessMeta } from "../fixtures/events.ts";

export function toolCall(name: string, args: unknown, id: unknown = 1): Record<string, unknown> {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}

export type Layer = "transport" | "json-rpc" | "tool";

export type Expected =
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

export interface Case {
  name: string;
  layer: Layer;
  /** Event options, or a function building the event (for what the options cannot say). */
  request: EventOptions | (() => LambdaFunctionURLEvent);
  expected: Expected | (() => Expected);
}

export const PING = { jsonrpc: "2.0", id: 1, method: "ping" };
export const INVALID_REQUEST = -32_600;
export const PARSE_ERROR = -32_700;
export const UNAUTHORIZED = -32_001;
export const HEADER_MISMATCH = -32_020;
export const UNSUPPORTED_VERSION = -32_022;
export const SUPPORTED = ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"];
export const PATTERN_ID = "must be a memory id: 26 letters and digits as returned by the other tools";
export const TAG_PATTERN = "must not start or end with whitespace, nor contain commas";
export const NOT_JSON = "Parse error: the body is not valid JSON";
export const NO_SUCH_ID = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";

export function args(tool: string, issues: string): string {
  return `Invalid arguments for ${tool}: ${issues}`;
}

export function stateless(
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string>,
): EventOptions {
  return { headers, body: { jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: statelessMeta() } } };
}
