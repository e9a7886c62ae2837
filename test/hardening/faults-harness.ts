// The fault tests' harness (./faults.test.ts): dynalite behind the fault proxy, the environment a Lambda
// client reads, a fresh table and app per test, and what each test reads back (answers, the table, the log).
// Importing it registers the before and after hooks that start and stop them.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createApp } from "../../src/app.ts";
import { createDynamoDbClient, createDynamoDbStore, ensureTable } from "../../src/dynamodb/memory-store.ts";
import { createLogger } from "../../src/protocol/log.ts";
import { TEST_API_KEY } from "../fixtures/events.ts";
import { type Dynalite, startDynalite, TEST_CURSOR_SECRET } from "../helpers/dynalite.ts";
import type { ToolResult } from "../helpers/tools.ts";
import { FAULTS, type FaultProxy, startFaultProxy } from "./fault-proxy.ts";
import { assertConsistentTable, assertWellFormedAnswer, SECRET_DIGESTS } from "./support.ts";

/** The function's timeout (terraform/variables.tf `timeout`): a failing call must answer well before it. */
export const LAMBDA_TIMEOUT_MS = 10_000;
export const THROTTLED = "The memory database is throttling requests right now; retry in a few seconds.";
export const UNAVAILABLE = "The memory database could not be reached or failed; retry in a few seconds.";

export let database: Dynalite;
export let proxy: FaultProxy;
export const logLines: string[] = [];
export const contents = new Set<string>();
export const timings: Record<string, number> = {};

before(async () => {
  database = await startDynalite();
  proxy = await startFaultProxy(database.endpoint);
  // createDynamoDbClient() reads its endpoint, region and credentials from the environment, as in Lambda.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
});
after(async () => {
  await proxy.stop();
  await database.stop();
  console.log(`fault timings (ms): ${JSON.stringify(timings)}`);
});

export interface Memory {
  id: string;
  content: string;
  tags: string[];
  version: number;
}

export interface Harness {
  call(tool: string, args: Record<string, unknown>): Promise<{ result: ToolResult; ms: number }>;
  /**
   * Reads the table directly (not through the proxy): memories and guards must agree, and the search index
   * with them (pending memories allowed only when asked: see assertIndexConsistent).
   */
  table(pending?: "allowed" | "none"): Promise<Memory[]>;
  tableName: string;
}

let tables = 0;
let rpcId = 0;

/** A fresh table and a fresh client (the SDK's retry quota is per client), with the proxy passing all. */
export async function harness(): Promise<Harness> {
  proxy.setSchedule(() => FAULTS.pass);
  const tableName = `faults-${++tables}`;
  await ensureTable(database.client, tableName);
  const client: DynamoDBClient = createDynamoDbClient();
  const app = createApp({
    env: { MCP_API_KEY_SHA256: SECRET_DIGESTS[0] },
    defaultOrigins: [],
    // Every search through the index (however few memories), so faults meet its read path too.
    store: createDynamoDbStore({ client, tableName, cursorSecret: TEST_CURSOR_SECRET, scanAtMost: 0 }),
    logger: createLogger((line) => logLines.push(line)),
  });
  return {
    async call(tool, args) {
      if (typeof args.content === "string") contents.add(args.content);
      const body = JSON.stringify({
        jsonrpc: "2.0",
        id: ++rpcId,
        method: "tools/call",
        params: { name: tool, arguments: args },
      });
      const started = performance.now();
      const answer = await app({
        method: "POST",
        path: "/mcp",
        headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json" },
        body,
      });
      const ms = performance.now() - started;
      assertWellFormedAnswer(answer, body);
      assert.equal(
        answer.status,
        200,
        `a database fault is a tool result, not a protocol error: ${answer.body}`,
      );
      return { result: (JSON.parse(answer.body) as { result: ToolResult }).result, ms };
    },
    tableName,
    async table(pending = "none") {
      const { memories } = await assertConsistentTable(database.client, tableName, { pending });
      return memories.map(({ id, content, tags, version }) => ({ id, content, tags, version }));
    },
  };
}

export function failure(result: ToolResult): string {
  assert.equal(result.isError, true, JSON.stringify(result));
  assert.equal(result.structuredContent, undefined);
  return result.content[0]?.text ?? "";
}

export function success<T>(result: ToolResult): T {
  assert.notEqual(result.isError, true, result.content[0]?.text);
  return result.structuredContent as T;
}

export function essentials({ id, content, tags, version }: Memory): Memory {
  return { id, content, tags, version };
}

export function attempts(operation: string): number {
  return proxy.requests.filter((request) => request.operation === operation).length;
}

export async function created(h: Harness, content: string): Promise<Memory> {
  return essentials(success<{ memory: Memory }>((await h.call("create_memory", { content })).result).memory);
}
