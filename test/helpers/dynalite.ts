// The test database: dynalite in-process (in memory, or on disk with `path`) behind the store's
// TransactWriteItems front (src/local/dynalite-transactions.ts), and a DynamoDBClient pointed at it.
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import {
  createDynamoDbClient,
  createDynamoDbStore,
  type DynamoDbStoreOptions,
  ensureTable,
} from "../../src/dynamodb/memory-store.ts";
import { startTransactionProxy } from "../../src/local/dynalite-transactions.ts";
import type { MemoryStore } from "../../src/memory/memory-store.ts";

export interface Dynalite {
  /** What AWS_ENDPOINT_URL_DYNAMODB should point at (transactions included). */
  endpoint: string;
  /** createDynamoDbClient() pointed at dynalite. */
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export const TEST_CURSOR_SECRET = "test cursor secret";

export async function startDynalite(options: { path?: string } = {}): Promise<Dynalite> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo; // a TCP server's address is an AddressInfo
  const proxy = await startTransactionProxy(`http://127.0.0.1:${port}`);
  const client = createDynamoDbClient({
    region: "us-east-1",
    endpoint: proxy.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  withoutRequestTimeout(client);
  return {
    endpoint: proxy.endpoint,
    client,
    async stop(): Promise<void> {
      client.destroy();
      await proxy.stop();
      await closeServer(server);
    },
  };
}

/** A client of its own on `database` that records the name of every command it sends; destroy() it after. */
export function countingClient(database: Dynalite): { client: DynamoDBClient; sent: () => string[] } {
  const client = createDynamoDbClient({
    region: "us-east-1",
    endpoint: database.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  let commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? "");
      return next(args);
    },
    { step: "initialize" },
  );
  return {
    client,
    /** The commands sent since the last call, in order. */
    sent: () => {
      const taken = commands;
      commands = [];
      return taken;
    },
  };
}

export interface TestStore {
  store: MemoryStore;
  tableName: string;
}

/** A store on a fresh, uniquely named table of `database`. */
export async function createTestStore(
  database: Dynalite,
  options: Partial<Omit<DynamoDbStoreOptions, "client" | "tableName">> = {},
): Promise<TestStore> {
  const tableName = `memories-${randomUUID()}`;
  await ensureTable(database.client, tableName);
  const store = createDynamoDbStore({
    client: database.client,
    tableName,
    cursorSecret: TEST_CURSOR_SECRET,
    ...options,
  });
  return { store, tableName };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * Lifts the client's 2.5 s per-attempt request timeout, meant for DynamoDB inside a 10 s Lambda: an
 * in-process dynalite on a loaded machine may take longer, which says nothing about the code under test,
 * and a timed-out attempt that landed makes the retry meet its own write. The timeouts themselves are
 * pinned by test/dynamodb/errors.test.ts and test/hardening/faults.test.ts.
 */
function withoutRequestTimeout(client: DynamoDBClient): void {
  const handler: object = client.config.requestHandler;
  if (!("updateHttpClientConfig" in handler) || typeof handler.updateHttpClientConfig !== "function") {
    throw new Error("the DynamoDB client's HTTP handler cannot be configured");
  }
  handler.updateHttpClientConfig("requestTimeout", 0); // 0: no timeout (@smithy/node-http-handler)
}
