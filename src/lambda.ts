// The Lambda entry: Function URL events (payload format 2.0) in and out. The only file that knows
// Lambda types; everything it builds at module load runs in INIT, which is not CPU-throttled.
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { type AppOptions, createApp } from "./app.ts";
import { warmUp } from "./coldstart/warm-up.ts";
import { cursorSecretFrom } from "./dynamodb/cursor-secret.ts";
import { createDynamoDbClient, createDynamoDbStore } from "./dynamodb/memory-store.ts";
import { createOAuthStore } from "./dynamodb/oauth-store.ts";
import type { HttpRequest } from "./protocol/http.ts";
import { createLogger } from "./protocol/log.ts";
import { DEFAULT_LAMBDA_ORIGINS } from "./protocol/origins.ts";

const env = process.env;
const client = createDynamoDbClient();
const tableName = env.TABLE_NAME ?? "";
const logger = createLogger();
const storeOptions = { client, tableName, cursorSecret: cursorSecretFrom(env) };
const options: AppOptions = {
  env,
  defaultOrigins: DEFAULT_LAMBDA_ORIGINS,
  store: createDynamoDbStore(storeOptions),
  oauth: { store: createOAuthStore({ client, tableName }) },
  logger,
};
const app = createApp(options);

// Top-level await: INIT waits for the warm-up (src/coldstart/warm-up.ts) instead of leaving it to the first invoke.
const warmUpStarted = process.hrtime.bigint();
await warmUp(options, {
  client,
  logger,
  dryRunStore: createDynamoDbStore({ ...storeOptions, scanAtMost: 0 }),
});
// One line per cold start, with what the warm-up took.
logger.info("init", { warmUpMs: Math.round(Number(process.hrtime.bigint() - warmUpStarted) / 1e6) });

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  const response = await app(toHttpRequest(event));
  const result: LambdaFunctionURLResult = {
    statusCode: response.status,
    headers: response.headers,
    body: response.body,
  };
  if (response.cookies !== undefined) result.cookies = response.cookies;
  return result;
}

export function toHttpRequest(event: LambdaFunctionURLEvent): HttpRequest {
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: event.rawQueryString,
    // Payload 2.0 moves the Cookie header into `cookies` (one entry a cookie); the app reads one header.
    headers:
      event.cookies === undefined ? event.headers : { ...event.headers, cookie: event.cookies.join("; ") },
    body: event.body,
    // Decoded by the HTTP layer only after the API key check and the size limit.
    base64: event.isBase64Encoded,
  };
}
