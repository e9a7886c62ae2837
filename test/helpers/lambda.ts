// Boots the real Lambda module (src/lambda.ts, or a bundle of it) the way Lambda does: configuration from the
// environment, DynamoDB through the SDK's endpoint variable, here pointed at an in-process dynalite.
import { randomUUID } from "node:crypto";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { ensureTable } from "../../src/dynamodb/memory-store.ts";
import { sha256Hex } from "../../src/protocol/auth.ts";
import { ROTATED_API_KEY, TEST_API_KEY } from "../fixtures/events.ts";
import { startDynalite } from "./dynalite.ts";

export interface Invocation {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The cookies the answer sets, if any (payload 2.0 `cookies`, which Lambda turns into Set-Cookie headers). */
  cookies?: string[];
  /** The body parsed as JSON (undefined for an empty body, or one that is not JSON, such as an HTML page). */
  json: unknown;
}

export interface LambdaUnderTest {
  invoke(event: LambdaFunctionURLEvent): Promise<Invocation>;
  /** The log lines the module wrote while it loaded (INIT). */
  initLogs: readonly string[];
  /** Everything the module wrote to stdout since the last call, or since it loaded. */
  takeLogs(): string[];
  stop(): Promise<void>;
}

type LambdaModule = typeof import("../../src/lambda.ts");

/**
 * `module`: what to import instead of src/lambda.ts, such as a bundle built as the deployed one is
 * (file URL); it must export the same handler.
 */
export async function loadLambda(
  extraEnv: Record<string, string> = {},
  module = "../../src/lambda.ts",
): Promise<LambdaUnderTest> {
  const database = await startDynalite();
  const tableName = `memories-${randomUUID()}`;
  await ensureTable(database.client, tableName);
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    MCP_API_KEY_SHA256: `${sha256Hex(TEST_API_KEY)},${sha256Hex(ROTATED_API_KEY)}`,
    AWS_ENDPOINT_URL_DYNAMODB: database.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ...extraEnv,
  });
  const logs: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (text.startsWith('{"level"')) {
      logs.push(...text.trimEnd().split("\n"));
      return true;
    }
    return write(chunk, ...(rest as []));
  }) as typeof process.stdout.write;
  const { handler } = (await import(module)) as LambdaModule; // src/lambda.ts or a bundle of it
  const initLogs = logs.splice(0, logs.length);
  return {
    initLogs,
    async invoke(event) {
      // Our handler always returns the structured form, never a bare string.
      const result = (await handler(event)) as Exclude<LambdaFunctionURLResult, string>;
      const body = result.body ?? "";
      const headers = (result.headers ?? {}) as Record<string, string>;
      const isJson = headers["content-type"]?.startsWith("application/json") === true;
      return {
        status: result.statusCode ?? 0,
        headers,
        body,
        ...(result.cookies === undefined ? {} : { cookies: result.cookies }),
        json: body === "" || !isJson ? undefined : JSON.parse(body),
      };
    },
    takeLogs() {
      return logs.splice(0, logs.length);
    },
    async stop() {
      process.stdout.write = write;
      await database.stop();
    },
  };
}
