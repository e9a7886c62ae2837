// JSON-RPC 2.0 envelope: wire error codes, message classification and response serialisation.
// Ids are kept as raw JSON text so every echo is exact, large integers included.

/** Wire error codes (JSON-RPC 2.0 and the MCP-reserved range, schema 2026-07-28). */
export const ErrorCode = {
  ParseError: -32_700,
  InvalidRequest: -32_600,
  MethodNotFound: -32_601,
  InvalidParams: -32_602,
  InternalError: -32_603,
  HeaderMismatch: -32_020,
  UnsupportedProtocolVersion: -32_022,
} as const;

/** A request id as JSON text: `"abc"`, `42`, `18446744073709551616`, or `null` when it could not be read. */
export type RawId = string;
export const NULL_ID: RawId = "null";

/** A protocol-level failure: becomes a JSON-RPC error response with the given HTTP status. */
export class RpcError extends Error {
  override readonly name = "RpcError";
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus = 200,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export type JsonObject = Record<string, unknown>;

/** A message the server must answer. */
export interface RpcRequest {
  kind: "request";
  id: RawId;
  method: string;
  params: JsonObject;
}

/** A message the server must not answer (notifications, and responses sent by the client). */
export interface RpcNoReply {
  kind: "notification" | "response";
  method?: string;
  params: JsonObject;
}

/** Something that is not a valid JSON-RPC message; answered with -32600 or -32602. */
export interface RpcInvalid {
  kind: "invalid";
  id: RawId;
  error: RpcError;
}

export type RpcMessage = RpcRequest | RpcNoReply | RpcInvalid;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Classifies one parsed message. `rawIdText` returns the id member's source text; it is consulted
 * for every numeric id, since a double cannot tell 1 from 1.00000000000000000001.
 */
export function classify(message: unknown, rawIdText: () => string | undefined): RpcMessage {
  if (!isObject(message)) {
    return invalid(NULL_ID, "Invalid Request: a JSON-RPC message must be an object");
  }
  const id = readId(message, rawIdText);
  if (message.jsonrpc !== "2.0") {
    return invalid(id ?? NULL_ID, 'Invalid Request: "jsonrpc" must be exactly "2.0"');
  }
  if ("method" in message) {
    if (typeof message.method !== "string") {
      return invalid(id ?? NULL_ID, 'Invalid Request: "method" must be a string');
    }
    if ("id" in message && id === undefined) {
      return invalid(NULL_ID, 'Invalid Request: "id" must be a string or a number');
    }
    const params = message.params;
    if (params !== undefined && !isObject(params)) {
      // JSON-RPC allows by-position params; MCP defines every params member as an object.
      const error = Array.isArray(params)
        ? new RpcError(
            ErrorCode.InvalidParams,
            "Invalid params: MCP params must be an object, not an array",
            200,
          )
        : new RpcError(ErrorCode.InvalidRequest, 'Invalid Request: "params" must be an object', 400);
      return { kind: "invalid", id: id ?? NULL_ID, error };
    }
    if (id === undefined) {
      return { kind: "notification", method: message.method, params: params ?? {} };
    }
    return { kind: "request", id, method: message.method, params: params ?? {} };
  }
  if (id !== undefined && ("result" in message || "error" in message)) {
    return { kind: "response", params: {} };
  }
  return invalid(
    id ?? NULL_ID,
    'Invalid Request: a message needs a "method", or a "result" or "error" with an "id"',
  );
}

function invalid(id: RawId, message: string): RpcInvalid {
  return { kind: "invalid", id, error: new RpcError(ErrorCode.InvalidRequest, message, 400) };
}

/** The id as raw JSON text, or undefined when absent or not a string/number. */
function readId(message: JsonObject, rawIdText: () => string | undefined): RawId | undefined {
  const id = message.id;
  if (typeof id === "string") return JSON.stringify(id);
  if (typeof id === "number") {
    // 2^53+1, 1e400 (Infinity to a double), 1.50, and 1e-400 or 1.00000000000000000001, which a double
    // rounds to 0 and 1: echo the digits the client sent, never the double's reading of them.
    return rawIdText() ?? (Number.isFinite(id) ? JSON.stringify(id) : undefined);
  }
  return undefined;
}

export function resultResponse(id: RawId, result: unknown): string {
  return serializedResultResponse(id, JSON.stringify(result));
}

/** resultResponse for a result that is already JSON text (a constant answer serialised once). */
export function serializedResultResponse(id: RawId, resultJson: string): string {
  return `{"jsonrpc":"2.0","id":${id},"result":${resultJson}}`;
}

export function errorResponse(id: RawId, error: RpcError): string {
  const body: JsonObject = { code: error.code, message: error.message };
  if (error.data !== undefined) body.data = error.data;
  return `{"jsonrpc":"2.0","id":${id},"error":${JSON.stringify(body)}}`;
}

/**
 * Source text of the `id` member of the object at `index` in a batch (or of the top-level
 * object when index is undefined). The text has already passed JSON.parse, so the scan can
 * trust its shape; duplicate keys resolve to the last, as JSON.parse does.
 */
export function rawIdSource(text: string, index?: number): string | undefined {
  const scan = new JsonScanner(text);
  let start = scan.skipSpace(0);
  if (index !== undefined) {
    if (text[start] !== "[") return undefined;
    start = scan.skipSpace(start + 1);
    for (let i = 0; i < index; i++) {
      start = scan.skipSpace(scan.skipValue(start));
      if (text[start] !== ",") return undefined;
      start = scan.skipSpace(start + 1);
    }
  }
  if (text[start] !== "{") return undefined;
  let pos = scan.skipSpace(start + 1);
  let found: string | undefined;
  while (text[pos] === '"') {
    const keyEnd = scan.skipString(pos);
    const key: unknown = JSON.parse(text.slice(pos, keyEnd));
    pos = scan.skipSpace(keyEnd);
    pos = scan.skipSpace(pos + 1); // the ':'
    const valueEnd = scan.skipValue(pos);
    if (key === "id") found = text.slice(pos, valueEnd);
    pos = scan.skipSpace(valueEnd);
    if (text[pos] !== ",") break;
    pos = scan.skipSpace(pos + 1);
  }
  return found;
}

/** Skips over JSON values in text already known to be valid JSON. */
class JsonScanner {
  constructor(private readonly text: string) {}

  skipSpace(pos: number): number {
    const t = this.text;
    while (pos < t.length && (t[pos] === " " || t[pos] === "\n" || t[pos] === "\r" || t[pos] === "\t")) pos++;
    return pos;
  }

  skipString(pos: number): number {
    const t = this.text;
    let i = pos + 1;
    while (i < t.length) {
      const c = t[i];
      if (c === '"') return i + 1;
      i += c === "\\" ? 2 : 1; // an escape: the next character is never the closing quote
    }
    return i;
  }

  skipValue(pos: number): number {
    const t = this.text;
    const c = t[pos];
    if (c === '"') return this.skipString(pos);
    if (c === "{" || c === "[") {
      let depth = 0;
      let i = pos;
      while (i < t.length) {
        const d = t[i];
        if (d === '"') {
          i = this.skipString(i);
          continue;
        }
        if (d === "{" || d === "[") depth++;
        else if (d === "}" || d === "]") {
          depth--;
          if (depth === 0) return i + 1;
        }
        i++;
      }
      return i;
    }
    let i = pos;
    while (i < t.length && !",}] \n\r\t".includes(t[i] as string)) i++;
    return i;
  }
}
