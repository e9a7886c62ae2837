// The Lambda's INIT-time warm-up: a private pass of a client's first requests through the real app, so that
// the one-time work of a cold start happens in INIT, which runs at full CPU speed, instead of in the first
// invoke, which gets 128/1769 of a vCPU at 128 MB. Measured (docs/benchmarks/): the AWS SDK's first calls
// (credentials, endpoint rules, signer, serde, HTTP agent, DNS, TCP and TLS), each command's first use, and
// V8 compiling our handler. Never fatal: a failure only logs a warning, and the first request then pays.
import { randomBytes } from "node:crypto";
import { type AppOptions, createApp } from "../app.ts";
import type { DynamoDbClient } from "../dynamodb/client.ts";
import { dryRun } from "../dynamodb/dry-run.ts";
import type { MemoryStore } from "../memory/memory-store.ts";
import { sha256Hex } from "../protocol/auth.ts";
import type { HttpHandler } from "../protocol/http.ts";
import { createLogger, type Logger } from "../protocol/log.ts";

/** Each pass normally takes tens of milliseconds; the bound only matters when something hangs. */
export const WARM_UP_TIMEOUT_MS = 1_000;

const PROTOCOL_VERSION = "2025-11-25";
/** A well-formed memory id (a ULID) that no memory has: ULIDs of 1970 are never generated. */
const NO_SUCH_MEMORY = "00000000000000000000000000";

/** Sent to DynamoDB for real: read-only, a Query of at most two items and a GetItem of a missing key. */
export const READ_ONLY_PASS: readonly Message[] = [
  {
    method: "initialize",
    params: {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "warm-up", version: "0" },
    },
  },
  { method: "tools/list" },
  { method: "tools/call", params: { name: "list_memories", arguments: { limit: 1 } } },
  {
    method: "tools/call",
    params: { name: "get_memory", arguments: { id: NO_SUCH_MEMORY } },
    toolErrorExpected: true,
  },
];

/**
 * Sent through a dry run (src/dynamodb/dry-run.ts): the write path and search, with nothing written. Two
 * creates: their requests bring the AWS SDK's JSON string writer to V8's optimising tier here, whose
 * compile (about 7 ms at full speed) otherwise fell into a client's first create_memory at 128 MB.
 */
export const DRY_RUN_PASS: readonly Message[] = [
  {
    method: "tools/call",
    params: {
      name: "create_memory",
      // An apostrophe, an accent and a number: the analyser's branches most text takes.
      arguments: { content: "Warm-up: Zoë's birthday is on 14 March 2019.", tags: ["warm-up"] },
    },
  },
  {
    method: "tools/call",
    params: {
      name: "create_memory",
      arguments: {
        content:
          "Warm-up: Zoë's school starts on 2 September; she takes the bus at 7:45 with her friend Tom.",
        tags: ["warm-up"],
      },
    },
  },
  // A table's first search switches its index on, reading every memory as a small store's search does;
  // the second takes the index's path (postings, tag members, BatchGetItem of the hits), a large store's.
  {
    method: "tools/call",
    params: { name: "search_memories", arguments: { query: "when's Zoë's birthday" } },
  },
  {
    method: "tools/call",
    params: { name: "search_memories", arguments: { query: "Zoë's school bus", tags: ["warm-up"] } },
  },
];

interface Message {
  method: string;
  params?: unknown;
  /** get_memory of a missing id answers a tool error by design; any other tool error is a problem. */
  toolErrorExpected?: boolean;
}

export interface WarmUpOptions {
  /** The client of `options.store`, for the dry run. */
  client: DynamoDbClient;
  /** For warnings only. */
  logger: Logger;
  /**
   * The store the dry run writes to and searches, when not `options.store`: the same table's store set to
   * search through the index at any size, since the dry run's two memories would otherwise be read whole.
   */
  dryRunStore?: MemoryStore;
  timeoutMs?: number;
}

/** Runs the real logger's code (so that it is compiled too) but writes nothing. */
const SILENT: Logger = createLogger(() => {});

/**
 * Runs both passes on a throwaway app built from the real app's options (same store, same OAuth hook), whose
 * only API key exists in this process, and which logs nothing. Resolves when done or bounded; never rejects.
 */
export async function warmUp(
  options: AppOptions,
  { client, logger, dryRunStore, timeoutMs = WARM_UP_TIMEOUT_MS }: WarmUpOptions,
): Promise<void> {
  const key = randomBytes(32).toString("base64url");
  const appOn = (store: MemoryStore): HttpHandler =>
    createApp({
      ...options,
      store,
      env: { ...options.env, MCP_API_KEY_SHA256: sha256Hex(key) },
      logger: SILENT,
    });
  const app = appOn(options.store);
  const dryApp = dryRunStore === undefined ? app : appOn(dryRunStore);
  const send = (messages: readonly Message[], on = app): Promise<string | undefined> =>
    sendAll(on, key, messages);
  const problems: string[] = [];
  // The real pass waits on the network, so it is raced against the bound; if it loses, it goes on in the
  // background, read-only, and harmless.
  const real = await bounded(send(READ_ONLY_PASS), timeoutMs);
  if (real !== undefined) problems.push(real);
  // The dry run never waits on the network, and it is over before INIT is: from then on the client talks to
  // DynamoDB again, and a call the dry run began but did not finish fails rather than write.
  try {
    const dry = await dryRun(client, () => bounded(send(DRY_RUN_PASS, dryApp), timeoutMs));
    if (dry !== undefined) problems.push(`dry run: ${dry}`);
  } catch (error) {
    problems.push(`dry run failed (${error instanceof Error ? error.name : typeof error})`);
  }
  if (problems.length > 0)
    logger.warn(`warm-up incomplete (${problems.join("; ")}); the first request pays for the rest`);
}

/** Sends each message in turn; a problem (a status other than 200, an unexpected tool error) stops the pass. */
async function sendAll(
  app: HttpHandler,
  key: string,
  messages: readonly Message[],
): Promise<string | undefined> {
  const headers = {
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": PROTOCOL_VERSION,
  };
  for (const [id, { method, params, toolErrorExpected }] of messages.entries()) {
    const response = await app({
      method: "POST",
      path: "/mcp",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
    });
    if (response.status !== 200) return `${method} answered ${response.status}`;
    const result = (
      JSON.parse(response.body) as { result?: { isError?: boolean; content?: { text?: string }[] } }
    ).result; // a 200 from /mcp is a JSON-RPC response
    if (result?.isError === true && toolErrorExpected !== true) {
      return `${method} failed: ${result.content?.[0]?.text ?? "tool error"}`;
    }
  }
  return undefined;
}

/** The pass's outcome, or a problem once `ms` have passed. */
async function bounded(pass: Promise<string | undefined>, ms: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms);
  });
  try {
    return await Promise.race([pass, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
