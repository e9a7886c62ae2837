// The Lambda entry: Function URL events (payload format 2.0) in and out. The only file that knows
// Lambda types; everything it builds at module load runs in INIT, which is not CPU-throttled.
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { createApp } from "./app.ts";
import type { HttpRequest } from "./http.ts";
import { DEFAULT_LAMBDA_ORIGINS } from "./origins.ts";
import { cursorSecretFrom } from "./store/cursor-secret.ts";
import { createDynamoDbClient, createDynamoDbStore } from "./store/dynamodb.ts";

const env = process.env;
const app = createApp({
  env,
  defaultOrigins: DEFAULT_LAMBDA_ORIGINS,
  store: createDynamoDbStore({
    client: createDynamoDbClient(),
    tableName: env.TABLE_NAME ?? "",
    cursorSecret: cursorSecretFrom(env),
  }),
});

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  const response = await app(toHttpRequest(event));
  return { statusCode: response.status, headers: response.headers, body: response.body };
}

export function toHttpRequest(event: LambdaFunctionURLEvent): HttpRequest {
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers: event.headers,
    body: event.body,
    // Decoded by the HTTP layer only after the API key check and the size limit.
    base64: event.isBase64Encoded,
  };
}
