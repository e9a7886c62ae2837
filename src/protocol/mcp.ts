// The MCP method table for both protocol eras: the initialize handshake (2025-03-26, 2025-06-18,
// 2025-11-25) and the stateless revision (2026-07-28), told apart per request by its `_meta`.
// Works on plain JSON-RPC values; HTTP status codes ride along with each reply.

import { StoreError } from "../memory/memory-store.ts";
import { type Tool, type ToolContext, ToolError } from "../tools/tool.ts";
import {
  ErrorCode,
  errorResponse,
  isObject,
  type JsonObject,
  type RawId,
  RpcError,
  type RpcRequest,
  resultResponse,
  serializedResultResponse,
} from "./jsonrpc.ts";

export const STATELESS_VERSIONS = ["2026-07-28"] as const;
export const HANDSHAKE_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
export const SUPPORTED_VERSIONS: readonly string[] = [...STATELESS_VERSIONS, ...HANDSHAKE_VERSIONS];
const LATEST_HANDSHAKE_VERSION = HANDSHAKE_VERSIONS[0];

const META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
const META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
const META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";

/** Tool and discovery lists only change with a deployment: clients may cache them for an hour. */
const LIST_TTL_MS = 3_600_000;
const TOOLS_PAGE_SIZE = 50;

export interface ServerIdentity {
  name: string;
  title: string;
  version: string;
}

/** The request metadata headers of the Streamable HTTP transport, values as received. */
export interface TransportHeaders {
  protocolVersion?: string | undefined;
  mcpMethod?: string | undefined;
  mcpName?: string | undefined;
}

/** One answered request: the HTTP status, the JSON-RPC response text and what the log line needs. */
export interface Reply {
  status: number;
  body: string;
  tool?: string;
  errorCode?: number;
}

export interface McpServerOptions {
  identity: ServerIdentity;
  instructions: string;
  tools: readonly Tool[];
  context: ToolContext;
  /** How long one tool call may spend on the database, all its commands and retries together. */
  toolDeadlineMs?: number;
}

/**
 * Inside the Lambda's default 10 s timeout with room to answer: a call whose database stalls ends as an
 * isError result with a retry hint instead of a timeout with no answer at all. Terraform sets
 * TOOL_DEADLINE_MS from the function's timeout.
 */
export const DEFAULT_TOOL_DEADLINE_MS = 8_000;

type Era = "stateless" | "handshake";

export class McpServer {
  private readonly tools: ReadonlyMap<string, Tool>;
  private readonly toolDescriptors: readonly JsonObject[];
  private readonly serverMeta: JsonObject;
  /** tools/list without a cursor, per era, as JSON text: the same answer every time, serialised once. */
  private readonly firstToolsPage: Readonly<Record<Era, string>>;

  constructor(private readonly options: McpServerOptions) {
    this.tools = new Map(options.tools.map((tool) => [tool.name, tool]));
    // Built once, in INIT: tools/list serves these very objects, schemas included.
    this.toolDescriptors = options.tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: tool.schemas.input,
      outputSchema: tool.schemas.output,
      annotations: tool.annotations,
    }));
    this.serverMeta = { [META_SERVER_INFO]: options.identity };
    // Serialising the tools with their schemas was most of a warm tools/list's CPU time (docs/benchmarks/).
    this.firstToolsPage = {
      handshake: JSON.stringify(this.listTools({})),
      stateless: JSON.stringify(this.statelessToolsPage({})),
    };
  }

  /** Validates that a notification may be accepted; notifications never get a JSON-RPC reply. */
  checkNotification(headers: TransportHeaders): RpcError | undefined {
    return unsupportedHeaderVersion(headers.protocolVersion);
  }

  /** Answers one request. Every failure becomes a JSON-RPC error here, in one place. */
  async handle(request: RpcRequest, headers: TransportHeaders): Promise<Reply> {
    try {
      return await this.dispatch(request, headers);
    } catch (error) {
      if (error instanceof RpcError) {
        return { status: error.httpStatus, body: errorResponse(request.id, error), errorCode: error.code };
      }
      throw error; // the HTTP layer turns it into -32603 with no detail
    }
  }

  private async dispatch(request: RpcRequest, headers: TransportHeaders): Promise<Reply> {
    const era = this.eraOf(request, headers);
    const { id, method, params } = request;
    if (era === "stateless") {
      switch (method) {
        case "server/discover":
          return ok(id, this.discover());
        case "tools/list":
          return params.cursor === undefined
            ? okSerialized(id, this.firstToolsPage.stateless)
            : ok(id, this.statelessToolsPage(params));
        case "tools/call": {
          const { result, tool } = await this.callTool(params);
          return { ...ok(id, { ...result, ...this.complete() }), tool };
        }
        default:
          // initialize and ping do not exist in this revision; the transport answers 404 for them.
          throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`, 404);
      }
    }
    switch (method) {
      case "initialize":
        return ok(id, this.initialize(params));
      case "ping":
        return ok(id, {});
      case "tools/list":
        return params.cursor === undefined
          ? okSerialized(id, this.firstToolsPage.handshake)
          : ok(id, this.listTools(params));
      case "tools/call": {
        const { result, tool } = await this.callTool(params);
        return { ...ok(id, result), tool };
      }
      default:
        throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
    }
  }

  /**
   * A request carrying the stateless `_meta` envelope, or sent under a stateless MCP-Protocol-Version
   * header, follows 2026-07-28 (transports/streamable-http, "Server Validation"); anything else is
   * the handshake era. server/discover exists only in the stateless era.
   *
   * The order of the checks: the _meta shape (-32602); then whether the MCP-Protocol-Version header
   * agrees with _meta (-32020), before either version is judged, because RequestMetaObject says a
   * disagreement MUST be a 400 whatever the values; then whether the version is supported (-32022);
   * then the headers that must be present (-32020).
   */
  private eraOf(request: RpcRequest, headers: TransportHeaders): Era {
    const header = headers.protocolVersion;
    const meta = request.params._meta;
    const metaVersion = isObject(meta) ? meta[META_PROTOCOL_VERSION] : undefined;
    if (typeof metaVersion !== "string") {
      // No version in the body to compare the header with: the header alone is judged.
      const headerError = unsupportedHeaderVersion(header);
      if (headerError) throw headerError;
    }
    const stateless =
      metaVersion !== undefined ||
      (header !== undefined && isStatelessVersion(header)) ||
      request.method === "server/discover";
    if (!stateless) return "handshake";
    if (!isObject(meta) || typeof metaVersion !== "string" || !isObject(meta[META_CLIENT_CAPABILITIES])) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Invalid params: a ${STATELESS_VERSIONS[0]} request needs params._meta with "${META_PROTOCOL_VERSION}" (a string) and "${META_CLIENT_CAPABILITIES}" (an object)`,
        400,
      );
    }
    if (header !== undefined && header !== metaVersion)
      throw headerMismatch("MCP-Protocol-Version", header, metaVersion);
    if (!SUPPORTED_VERSIONS.includes(metaVersion)) throw unsupportedVersion(metaVersion);
    // An older version named in _meta (header absent or equal): that client speaks the handshake era.
    if (!isStatelessVersion(metaVersion)) return "handshake";
    if (header === undefined) throw missingHeader("MCP-Protocol-Version");
    if (headers.mcpMethod === undefined) throw missingHeader("Mcp-Method");
    if (headers.mcpMethod !== request.method)
      throw headerMismatch("Mcp-Method", headers.mcpMethod, request.method);
    if (request.method === "tools/call") {
      if (headers.mcpName === undefined) throw missingHeader("Mcp-Name");
      const name = decodeHeaderValue(headers.mcpName);
      if (name === undefined) {
        throw new RpcError(
          ErrorCode.HeaderMismatch,
          "Header mismatch: Mcp-Name is not valid base64 sentinel",
          400,
        );
      }
      if (name !== request.params.name) throw headerMismatch("Mcp-Name", name, request.params.name);
    }
    return "stateless";
  }

  private complete(): JsonObject {
    return { resultType: "complete", _meta: this.serverMeta };
  }

  private discover(): JsonObject {
    return {
      supportedVersions: SUPPORTED_VERSIONS,
      capabilities: { tools: {} },
      instructions: this.options.instructions,
      ttlMs: LIST_TTL_MS,
      cacheScope: "public",
      ...this.complete(),
    };
  }

  private initialize(params: JsonObject): JsonObject {
    const requested = params.protocolVersion;
    if (typeof requested !== "string") {
      throw new RpcError(
        ErrorCode.InvalidParams,
        'Invalid params: initialize needs "protocolVersion" (a string)',
      );
    }
    // lifecycle#version-negotiation: echo a supported version, otherwise offer our latest.
    const protocolVersion = (HANDSHAKE_VERSIONS as readonly string[]).includes(requested)
      ? requested
      : LATEST_HANDSHAKE_VERSION;
    return {
      protocolVersion,
      capabilities: { tools: { listChanged: false } },
      serverInfo: this.options.identity,
      instructions: this.options.instructions,
    };
  }

  private statelessToolsPage(params: JsonObject): JsonObject {
    return { ...this.listTools(params), ttlMs: LIST_TTL_MS, cacheScope: "public", ...this.complete() };
  }

  private listTools(params: JsonObject): JsonObject {
    const start = decodeListCursor(params.cursor);
    const tools = this.toolDescriptors.slice(start, start + TOOLS_PAGE_SIZE);
    const next = start + TOOLS_PAGE_SIZE;
    return next < this.toolDescriptors.length ? { tools, nextCursor: encodeListCursor(next) } : { tools };
  }

  private async callTool(params: JsonObject): Promise<{ result: JsonObject; tool: string }> {
    const name = params.name;
    if (typeof name !== "string") {
      throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: tools/call needs "name" (a string)');
    }
    const tool = this.tools.get(name);
    if (!tool) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Unknown tool: ${JSON.stringify(name.slice(0, 100))}. Available tools: ${[...this.tools.keys()].join(", ")}`,
      );
    }
    try {
      const deadline = AbortSignal.timeout(this.options.toolDeadlineMs ?? DEFAULT_TOOL_DEADLINE_MS);
      const context = { ...this.options.context, store: this.options.context.store.withDeadline(deadline) };
      const output = await tool.call(params.arguments ?? {}, context);
      return {
        result: { content: [{ type: "text", text: JSON.stringify(output) }], structuredContent: output },
        tool: name,
      };
    } catch (error) {
      if (error instanceof ToolError || error instanceof StoreError) {
        return { result: toolFailure(error.message), tool: name };
      }
      throw error;
    }
  }
}

function ok(id: RawId, result: unknown): Reply {
  return { status: 200, body: resultResponse(id, result) };
}

function okSerialized(id: RawId, resultJson: string): Reply {
  return { status: 200, body: serializedResultResponse(id, resultJson) };
}

function toolFailure(message: string): JsonObject {
  return { content: [{ type: "text", text: message }], isError: true };
}

function isStatelessVersion(version: string): boolean {
  return (STATELESS_VERSIONS as readonly string[]).includes(version);
}

function unsupportedHeaderVersion(header: string | undefined): RpcError | undefined {
  // transports#protocol-version-header: an unsupported version is a 400; an absent header is accepted.
  return header === undefined || SUPPORTED_VERSIONS.includes(header) ? undefined : unsupportedVersion(header);
}

function unsupportedVersion(requested: string): RpcError {
  return new RpcError(ErrorCode.UnsupportedProtocolVersion, "Unsupported protocol version", 400, {
    supported: SUPPORTED_VERSIONS,
    requested,
  });
}

function missingHeader(header: string): RpcError {
  return new RpcError(ErrorCode.HeaderMismatch, `Header mismatch: the ${header} header is required`, 400);
}

function headerMismatch(header: string, headerValue: string, bodyValue: unknown): RpcError {
  // An array or object is named, not serialised: a client's value may nest deeper than JSON.stringify
  // can recurse (a RangeError, which would turn the client's fault into a -32603).
  const body =
    typeof bodyValue === "object" && bodyValue !== null
      ? Array.isArray(bodyValue)
        ? "(an array)"
        : "(an object)"
      : String(bodyValue);
  return new RpcError(
    ErrorCode.HeaderMismatch,
    `Header mismatch: ${header} header value ${JSON.stringify(headerValue.slice(0, 200))} does not match body value ${JSON.stringify(body.slice(0, 200))}`,
    400,
  );
}

const BASE64_SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** Decodes the `=?base64?...?=` sentinel that clients use for non-ASCII header values. */
function decodeHeaderValue(value: string): string | undefined {
  const match = BASE64_SENTINEL.exec(value);
  if (!match) return value.startsWith("=?base64?") ? undefined : value;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(match[1] ?? "", "base64"));
  } catch {
    return undefined;
  }
}

function encodeListCursor(offset: number): string {
  return Buffer.from(`tools:${offset}`).toString("base64url");
}

function decodeListCursor(cursor: unknown): number {
  if (cursor === undefined) return 0;
  const match =
    typeof cursor === "string" ? /^tools:(\d{1,6})$/.exec(Buffer.from(cursor, "base64url").toString()) : null;
  if (!match) throw new RpcError(ErrorCode.InvalidParams, "Invalid params: unknown cursor for tools/list");
  return Number(match[1]);
}
