// The local database: dynalite on LevelDB under the data directory, behind the transaction front, with
// the memories table made on first use. `npm start` and `npm run memories` open it the same way.
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import dynalite from "dynalite";
import { Level } from "level";
import type { DynamoDbClient } from "../dynamodb/client.ts";
import { createDynamoDbClient, ensureTable } from "../dynamodb/memory-store.ts";
import { startTransactionProxy } from "./dynalite-transactions.ts";

export const LOCAL_TABLE_NAME = "memories";

export interface LocalDatabase {
  client: DynamoDbClient;
  tableName: string;
  /** Stops the client, the front and dynalite, which closes LevelDB with everything written on disk. */
  close(): Promise<void>;
}

/** Another process (a running `npm start`, an export) holds the data directory's LevelDB lock. */
export class DataDirInUseError extends Error {
  override readonly name = "DataDirInUseError";
  constructor(readonly dataDir: string) {
    super(
      `The data directory ${dataDir} is in use by another process (a running \`npm start\`, or another ` +
        "`npm run memories`). Stop it (Ctrl-C) and try again.",
    );
  }
}

/** The LevelDB directory inside a data directory. */
export function levelDbPath(dataDir: string): string {
  return join(resolve(dataDir), "dynamodb");
}

export async function openLocalDatabase(
  dataDir: string,
  tableName: string = LOCAL_TABLE_NAME,
): Promise<LocalDatabase> {
  const path = levelDbPath(dataDir);
  // dynalite opens LevelDB lazily and throws from a callback when the lock is taken, which would end the
  // process with a stack trace on its first request; opening it once here first turns that into an error.
  await ensureNotLocked(path, dataDir);
  const database = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((done) => database.listen(0, "127.0.0.1", done));
  const { port } = database.address() as AddressInfo; // listening on TCP
  // dynalite lacks TransactWriteItems; this front adds it, so the store runs unchanged.
  const transactions = await startTransactionProxy(`http://127.0.0.1:${port}`);
  const client = createDynamoDbClient({
    endpoint: transactions.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const close = async (): Promise<void> => {
    client.destroy();
    await transactions.stop();
    await new Promise<void>((done) => database.close(() => done()));
  };
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    await close();
    throw error;
  }
  return { client, tableName, close };
}

async function ensureNotLocked(path: string, dataDir: string): Promise<void> {
  const probe = new Level(path);
  try {
    await probe.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause; // abstract-level wraps the LevelDB error
    if (cause?.code === "LEVEL_LOCKED") throw new DataDirInUseError(dataDir);
    throw error;
  } finally {
    await probe.close();
  }
}
