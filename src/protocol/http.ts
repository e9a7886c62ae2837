// The Streamable HTTP rules on plain request/response values: routing, the fixed order of checks
// (method, Origin, API key, Accept, Content-Type, size, parse), batches, and one log line a request.
// Nothing here knows about Lambda; src/lambda.ts and src/local/ adapt their events to these types.
import { keyMatches } from "./auth.ts";
import {
  classify,
  ErrorCode,
  errorResponse,
  NULL_ID,
  RpcError,
  type RpcMessage,
  rawIdSource,
} from "./jsonrpc.ts";
import type { Logger, RequestLog } from "./log.ts";
import type { McpServer, Reply, TransportHeaders } from "./mcp.ts";
import type { OriginAllowList } from "./origins.ts";

export interface HttpRequest {
  method: string;
  /** The path without query string, e.g. `/mcp` or `/mcp/<key>`. */
  path: string;
  /** The raw query string without "?"; only the OAuth endpoints read it (never for credentials). */
  query?: string;
  /** Header names in lower case; repeated headers joined with ", "; the cookies as one `cookie` header. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Text as received, or raw bytes (which must be UTF-8). */
  body: string | Uint8Array | undefined;
  /** The string body is base64 of the real bytes (Lambda's isBase64Encoded). */
  base64?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set-Cookie values, one a cookie: they cannot share a header (Lambda sends them as its `cookies`). */
  cookies?: string[];
}

/** Bodies above this are refused with 413: ample for the largest memory (see schemas/) JSON-escaped. */
export const MAX_BODY_BYTES = 256 * 1024;
/** A 2025-03-26 batch may hold at most this many messages. */
export const MAX_BATCH_MESSAGES = 20;
/** Implementation-defined JSON-RPC code (-32000..-32019) for a missing or wrong API key. */
const UNAUTHORIZED = -32_001;
/**
 * Says where the key comes from, for the local server and a deployed one alike (the same code answers both),
 * and never echoes what was sent. OAuth clients follow the WWW-Authenticate challenge instead.
 */
const UNAUTHORIZED_MESSAGE =
  "Unauthorized: missing or wrong API key. Send it as Authorization: Bearer <key>. " +
  "Local server (npm start): the key it printed at start, kept in .data/api-key, or MCP_API_KEY when set. " +
  "Deployed: the key `make deploy` printed, kept in .deploy/api-keys on the machine that deployed.";

/**
 * The OAuth authorization server and resource-server checks (src/oauth/), hooked in here without this file
 * knowing their details. Without it, /mcp accepts API keys only, as before.
 */
export interface OAuthHook {
  /** Answers the OAuth paths (discovery, /register, /authorize, /token); undefined for any other path. */
  handle(request: HttpRequest, log: RequestLog): Promise<HttpResponse | undefined>;
  /** Whether a bearer value that is not an API key is an access token issued for this server's /mcp. */
  acceptsAccessToken(token: string, request: HttpRequest): Promise<boolean>;
  /** The WWW-Authenticate value of a 401 from /mcp (RFC 9728 §5.1: it names the resource metadata). */
  challenge(request: HttpRequest, presentedBearer: boolean): string;
}

/** The memory page (src/web/), hooked in like OAuth: it answers its own paths and loads itself on first use. */
export interface PageHook {
  /** Answers the page's paths (/memories...); undefined for any other path. */
  handle(request: HttpRequest, log: RequestLog): Promise<HttpResponse | undefined>;
}

export interface HttpHandlerOptions {
  mcp: McpServer;
  keyDigests: readonly Buffer[];
  origins: OriginAllowList;
  logger: Logger;
  oauth?: OAuthHook | undefined;
  page?: PageHook | undefined;
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

const JSON_HEADERS = { "content-type": "application/json" } as const;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const { mcp, keyDigests, origins, logger, oauth, page } = options;

  return async function handle(request: HttpRequest): Promise<HttpResponse> {
    const started = process.hrtime.bigint();
    const log: RequestLog = { httpMethod: request.method, status: 0 };
    let response: HttpResponse;
    try {
      response = await route(request, log);
    } catch (error) {
      // Anything unexpected: a server fault, so -32603 with no internal detail (the log names its type).
      log.error = error instanceof Error ? error.name : typeof error;
      log.rpcError = ErrorCode.InternalError;
      const id = log.id ?? NULL_ID;
      response = json(500, errorResponse(id, new RpcError(ErrorCode.InternalError, "Internal error")));
    }
    log.status = response.status;
    // process.hrtime, not performance.now(): the first use of `performance` loads perf_hooks (9 modules).
    log.durationMs = Math.round(Number(process.hrtime.bigint() - started) / 10_000) / 100;
    logger.request(log);
    return response;
  };

  async function route(request: HttpRequest, log: RequestLog): Promise<HttpResponse> {
    // The OAuth paths are not JSON-RPC: they answer OAuth JSON or HTML, and allow GET.
    const oauthResponse = await oauth?.handle(request, log);
    if (oauthResponse !== undefined) return oauthResponse;
    const pageResponse = await page?.handle(request, log);
    if (pageResponse !== undefined) return pageResponse;
    const route = matchRoute(request.path);
    if (!route)
      return transportError(404, ErrorCode.InvalidRequest, "Not Found: the MCP endpoint is POST /mcp");
    if (request.method !== "POST") {
      const response = transportError(405, ErrorCode.InvalidRequest, "Method Not Allowed: use POST");
      response.headers.allow = "POST";
      return response;
    }
    const headers = request.headers;
    // transports#security-warning: a present, foreign Origin MUST get 403 (DNS rebinding).
    const origin = headers.origin;
    if (origin !== undefined && !origins.allows(origin)) {
      return transportError(403, ErrorCode.InvalidRequest, "Forbidden: Origin not allowed");
    }
    // Before any parsing or memory work. Never from the query string: it ends up in logs. An access token
    // is checked without a database read (src/oauth/access-token.ts), and only from the Authorization header.
    const bearer = bearerToken(headers.authorization);
    const key = route.pathKey ?? bearer ?? headers["x-api-key"];
    const authorized =
      (key !== undefined && keyMatches(key, keyDigests)) ||
      (route.pathKey === undefined &&
        bearer !== undefined &&
        oauth !== undefined &&
        (await oauth.acceptsAccessToken(bearer, request)));
    if (!authorized) {
      const response = transportError(401, UNAUTHORIZED, UNAUTHORIZED_MESSAGE);
      response.headers["www-authenticate"] =
        oauth === undefined
          ? "Bearer"
          : oauth.challenge(request, route.pathKey === undefined && bearer !== undefined);
      return response;
    }
    if (!acceptsJson(headers.accept)) {
      return transportError(
        406,
        ErrorCode.InvalidRequest,
        "Not Acceptable: this server answers application/json",
      );
    }
    if (!isJsonContentType(headers["content-type"])) {
      return transportError(
        415,
        ErrorCode.InvalidRequest,
        "Unsupported Media Type: send Content-Type: application/json",
      );
    }
    const text = decodeBody(request.body, request.base64 === true);
    if (text === TOO_LARGE) {
      return transportError(
        413,
        ErrorCode.InvalidRequest,
        `Payload Too Large: the limit is ${MAX_BODY_BYTES} bytes`,
      );
    }
    if (text === NOT_UTF8)
      return transportError(400, ErrorCode.ParseError, "Parse error: the body is not valid UTF-8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return transportError(400, ErrorCode.ParseError, "Parse error: the body is not valid JSON");
    }
    const transport: TransportHeaders = {
      protocolVersion: headers["mcp-protocol-version"],
      mcpMethod: headers["mcp-method"],
      mcpName: headers["mcp-name"],
    };
    if (Array.isArray(parsed)) return batch(parsed, text, transport, log);
    const message = classify(parsed, () => rawIdSource(text));
    const reply = await answer(message, transport, log);
    return reply === undefined ? accepted() : json(reply.status, reply.body);
  }

  /** One message; undefined means "nothing to send back" (202). */
  async function answer(
    message: RpcMessage,
    transport: TransportHeaders,
    log: RequestLog,
  ): Promise<Reply | undefined> {
    switch (message.kind) {
      case "invalid":
        log.id = message.id;
        log.rpcError = message.error.code;
        return { status: message.error.httpStatus, body: errorResponse(message.id, message.error) };
      case "notification":
      case "response": {
        if (message.method !== undefined) log.method = message.method;
        const refusal = mcp.checkNotification(transport);
        if (refusal) {
          log.rpcError = refusal.code;
          return { status: refusal.httpStatus, body: errorResponse(NULL_ID, refusal) };
        }
        return undefined;
      }
      case "request": {
        log.id = message.id;
        log.method = message.method;
        const reply = await mcp.handle(message, transport);
        if (reply.tool !== undefined) log.tool = reply.tool;
        if (reply.errorCode !== undefined) log.rpcError = reply.errorCode;
        return reply;
      }
    }
  }

  /**
   * JSON-RPC batches exist only in 2025-03-26, where servers MUST accept them (basic#batching);
   * later revisions removed them, so a batch under any other MCP-Protocol-Version is refused.
   */
  async function batch(
    messages: unknown[],
    text: string,
    transport: TransportHeaders,
    log: RequestLog,
  ): Promise<HttpResponse> {
    log.method = "batch";
    log.batchSize = messages.length;
    const version = transport.protocolVersion;
    if (version !== undefined && version !== "2025-03-26") {
      return transportError(
        400,
        ErrorCode.InvalidRequest,
        `Invalid Request: batches are not allowed in ${version}`,
      );
    }
    if (messages.length === 0)
      return transportError(400, ErrorCode.InvalidRequest, "Invalid Request: empty batch");
    if (messages.length > MAX_BATCH_MESSAGES) {
      return transportError(
        400,
        ErrorCode.InvalidRequest,
        `Invalid Request: at most ${MAX_BATCH_MESSAGES} messages a batch`,
      );
    }
    const replies = await Promise.all(
      messages.map((message, index) => {
        const classified = classify(message, () => rawIdSource(text, index));
        // Each element is answered on its own; the batch's log line keeps the batch's totals.
        return answer(classified, transport, { status: 0 });
      }),
    );
    const bodies = replies.filter((reply) => reply !== undefined).map((reply) => reply.body);
    return bodies.length === 0 ? accepted() : json(200, `[${bodies.join(",")}]`);
  }
}

interface Route {
  /** The API key carried as the secret last path segment, for clients that accept only a URL. */
  pathKey?: string;
}

function matchRoute(path: string): Route | undefined {
  if (path === "/mcp" || path === "/mcp/") return {};
  if (!path.startsWith("/mcp/")) return undefined;
  const segment = path.slice(5).replace(/\/$/, "");
  if (segment === "" || segment.includes("/")) return undefined;
  try {
    return { pathKey: decodeURIComponent(segment) };
  } catch {
    return { pathKey: segment }; // malformed escapes simply fail the key check
  }
}

function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

/** JSON is acceptable when Accept is absent or lists application/json, application/* or * / * with q > 0. */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === "") return true;
  return accept.split(",").some((range) => {
    const [type = "", ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== "application/json" && type !== "application/*" && type !== "*/*") return false;
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The media type must be application/json; parameters such as charset=utf-8 are fine. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(";", 1)[0]?.trim().toLowerCase();
  return mediaType === "application/json";
}

const TOO_LARGE = Symbol("too large");
const NOT_UTF8 = Symbol("not UTF-8");

export type BodyText = { ok: true; text: string } | { ok: false; problem: "too_large" | "not_utf8" };

/** The body as text, refused above `limit` bytes or when not UTF-8: for the OAuth endpoints' own limits. */
export function bodyText(request: HttpRequest, limit: number): BodyText {
  const text = decodeBody(request.body, request.base64 === true, limit);
  if (text === TOO_LARGE) return { ok: false, problem: "too_large" };
  if (text === NOT_UTF8) return { ok: false, problem: "not_utf8" };
  return { ok: true, text };
}

function decodeBody(
  body: string | Uint8Array | undefined,
  base64: boolean,
  limit = MAX_BODY_BYTES,
): string | typeof TOO_LARGE | typeof NOT_UTF8 {
  if (body === undefined) return "";
  if (typeof body === "string" && base64) {
    // Four base64 characters carry three bytes: refuse before decoding anything too large.
    if (Math.floor((body.length * 3) / 4) > limit + 2) return TOO_LARGE;
    return decodeBody(Buffer.from(body, "base64"), false, limit);
  }
  if (typeof body === "string") {
    // A string's UTF-8 size is at least its length and at most three times it.
    if (body.length > limit) return TOO_LARGE;
    if (body.length * 3 > limit && Buffer.byteLength(body, "utf8") > limit) return TOO_LARGE;
    return stripBom(body);
  }
  if (body.byteLength > limit) return TOO_LARGE;
  try {
    return stripBom(utf8.decode(body));
  } catch {
    return NOT_UTF8;
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function json(status: number, body: string): HttpResponse {
  return { status, headers: { ...JSON_HEADERS }, body };
}

function accepted(): HttpResponse {
  return { status: 202, headers: {}, body: "" };
}

/** A transport-level refusal: still a JSON-RPC error body, with no id (transports: "MAY ... that has no id"). */
function transportError(status: number, code: number, message: string): HttpResponse {
  return json(status, errorResponse(NULL_ID, new RpcError(code, message)));
}
