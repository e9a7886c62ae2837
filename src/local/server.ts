// The local server: the very same HTTP handler behind node:http on loopback, backed by an embedded
// dynalite (a real DynamoDB wire-protocol server on LevelDB) persisted under the data directory.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { createApp } from "../app.ts";
import { cursorSecretFrom } from "../dynamodb/cursor-secret.ts";
import { createDynamoDbStore } from "../dynamodb/memory-store.ts";
import { createOAuthStore } from "../dynamodb/oauth-store.ts";
import type { OAuthOptions } from "../oauth/oauth.ts";
import { sha256Hex } from "../protocol/auth.ts";
import { type HttpHandler, type HttpRequest, MAX_BODY_BYTES } from "../protocol/http.ts";
import type { Logger } from "../protocol/log.ts";
import { LOOPBACK_ORIGINS } from "../protocol/origins.ts";
import { openLocalDatabase } from "./database.ts";

export interface LocalServerOptions {
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  /** The API key; when absent, the key saved in the data directory, generated on first start. */
  apiKey?: string | undefined;
  tableName?: string;
  logger?: Logger;
  /** Test knobs of the OAuth server: its clock, the wrong-key delay, the metadata document fetch. */
  oauth?: Omit<OAuthOptions, "store" | "keyDigests" | "publicBaseUrl">;
  /** Test knob: 0 makes every search go through the index, however few memories (DynamoDbStoreOptions). */
  scanAtMost?: number;
}

export interface LocalServer {
  /** http://127.0.0.1:<port>/mcp: also the URL an OAuth client is given (no key in it). */
  url: string;
  /** http://127.0.0.1:<port>/memories: the memory page, signed into with the API key. */
  pageUrl: string;
  apiKey: string;
  /** True when this start generated the key. */
  keyGenerated: boolean;
  close(): Promise<void>;
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { apiKey, generated } = resolveApiKey(dataDir, options.apiKey);
  const database = await openLocalDatabase(dataDir, options.tableName);
  const { client, tableName } = database;

  // The app needs the port for its public base URL (the OAuth issuer), so it is made once listening.
  let app: HttpHandler | undefined;
  const server = createServer((req, res) => {
    if (app === undefined) res.writeHead(503).end();
    else void serve(app, req, res);
  });
  try {
    await new Promise<void>((done, fail) => {
      server.once("error", fail);
      server.listen(options.port, "127.0.0.1", done);
    });
  } catch (error) {
    // The port is taken (or not ours to use): release the database before reporting it.
    await database.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  // Only the key's digest reaches the handler, exactly as in Lambda. The base URL is fixed here, never
  // taken from a request's Host header.
  const env = {
    MCP_API_KEY_SHA256: sha256Hex(apiKey),
    TABLE_NAME: tableName,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  };
  app = createApp({
    env,
    defaultOrigins: LOOPBACK_ORIGINS,
    store: createDynamoDbStore({
      client,
      tableName,
      cursorSecret: cursorSecretFrom(env),
      ...(options.scanAtMost === undefined ? {} : { scanAtMost: options.scanAtMost }),
    }),
    oauth: { ...options.oauth, store: createOAuthStore({ client, tableName }) },
    ...(options.logger ? { logger: options.logger } : {}),
  });

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    pageUrl: `http://127.0.0.1:${port}/memories`,
    apiKey,
    keyGenerated: generated,
    close() {
      closing ??= (async () => {
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        await database.close();
      })();
      return closing;
    },
  };
}

function resolveApiKey(
  dataDir: string,
  configured: string | undefined,
): { apiKey: string; generated: boolean } {
  if (configured !== undefined && configured !== "") return { apiKey: configured, generated: false };
  const file = join(dataDir, "api-key");
  if (existsSync(file)) return { apiKey: readFileSync(file, "utf8").trim(), generated: false };
  const apiKey = randomBytes(32).toString("base64url");
  writeFileSync(file, `${apiKey}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { apiKey, generated: true };
}

/**
 * A body over MAX_BODY_BYTES is answered as soon as the limit is passed, and the rest is read and dropped,
 * up to this many bytes in all, so that the kept-alive connection can carry the client's next request
 * (a pooled client such as fetch/undici would otherwise get ECONNRESET). A body declared larger is
 * answered with Connection: close instead.
 */
const DRAIN_BYTES = 16 * MAX_BODY_BYTES;

async function serve(app: HttpHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const body = await readBody(req, res);
    const url = new URL(req.url ?? "/", "http://localhost");
    const request: HttpRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.search.slice(1),
      headers: flattenHeaders(req),
      body: body.bytes,
    };
    const response = await app(request);
    // Node closes the connection once this answer is written.
    if (!body.keepAlive) res.setHeader("connection", "close");
    res.writeHead(
      response.status,
      response.cookies === undefined
        ? response.headers
        : { ...response.headers, "set-cookie": response.cookies },
    );
    res.end(response.body);
  } catch {
    // The handler never throws; this guards the socket plumbing around it.
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}');
  }
}

interface RequestBody {
  /** At most one byte past the limit, so an oversized body is refused without being buffered whole. */
  bytes: Uint8Array | undefined;
  /** False when the body is declared too large to read and drop: the answer closes the connection. */
  keepAlive: boolean;
}

function readBody(req: IncomingMessage, res: ServerResponse): Promise<RequestBody> {
  const declared = Number(req.headers["content-length"] ?? 0);
  const keepAlive = !(declared > DRAIN_BYTES);
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      done = true;
      const bytes =
        size === 0 &&
        req.headers["content-length"] === undefined &&
        req.headers["transfer-encoding"] === undefined
          ? undefined
          : Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1);
      resolve({ bytes, keepAlive });
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (!done) {
        chunks.push(chunk);
        if (size > MAX_BODY_BYTES) finish();
      } else if (!keepAlive) {
        // Told Connection: close, the client stops sending; nothing more is read.
        req.pause();
      } else if (size > DRAIN_BYTES) {
        // A chunked body past the drain limit: the connection goes, once the answer is out.
        req.pause();
        if (res.writableFinished) req.socket.destroy();
        else res.once("finish", () => req.socket.destroy());
      }
    });
    req.on("end", () => {
      if (!done) finish();
    });
    req.on("error", (error) => {
      if (!done) reject(error);
    });
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}
