// A small Lambda Function URL in front of a handler, on loopback: HTTP requests become payload format 2.0
// events, as AWS builds them, and results become HTTP responses. For clients that speak only HTTP (the
// conformance suite, the MCP Inspector) to reach the built bundle.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";

/** Function URLs refuse request payloads above 6 MB before the function sees them. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Bodies of these media types reach the function as text; anything else as base64. */
const TEXT_TYPE = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript)|[^;]*\+json)/i;

export type FunctionUrlHandler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

export interface FunctionUrl {
  /** http://127.0.0.1:<port>, no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

export async function startFunctionUrl(handler: FunctionUrlHandler): Promise<FunctionUrl> {
  const server = createServer((req, res) => {
    readPayload(req).then(
      async (payload) => {
        if (payload === undefined) {
          res.writeHead(413, { "content-type": "application/json" }).end('{"message":"Request Too Long"}');
          return;
        }
        // Our handler always answers the structured form, never a bare string.
        const result = (await handler(toEvent(req, payload))) as Exclude<LambdaFunctionURLResult, string>;
        const headers: Record<string, string | string[]> = { ...result.headers } as Record<string, string>; // header values are strings
        if (result.cookies !== undefined && result.cookies.length > 0) headers["set-cookie"] = result.cookies;
        const body = Buffer.from(result.body ?? "", result.isBase64Encoded === true ? "base64" : "utf8");
        res.writeHead(result.statusCode ?? 200, headers).end(body);
      },
      () => {
        // What AWS answers when the function itself fails.
        res.writeHead(502, { "content-type": "application/json" }).end('{"message":"Internal Server Error"}');
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** The whole body, or undefined above the payload limit (read to the end all the same). */
async function readPayload(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer; // no setEncoding() call, so the stream yields Buffers
    size += buffer.length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(buffer);
  }
  return size > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks);
}

function toEvent(req: IncomingMessage, payload: Buffer): LambdaFunctionURLEvent {
  const url = new URL(req.url ?? "/", "http://function-url");
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") cookies.push(...String(value).split(/;\s*/));
    // AWS joins a repeated header's values with commas.
    else headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const text = TEXT_TYPE.test(headers["content-type"] ?? "");
  const method = req.method ?? "GET";
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(url.search === "" ? {} : { queryStringParameters: Object.fromEntries(url.searchParams) }),
    requestContext: {
      accountId: "anonymous",
      apiId: "function-url-emulator",
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "function-url-emulator",
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: crypto.randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(payload.length > 0 ? { body: payload.toString(text ? "utf8" : "base64") } : {}),
    isBase64Encoded: payload.length > 0 && !text,
  };
}
