// Where the memories are: the local server's data directory (dynalite on LevelDB, opened exactly as
// `npm start` opens it) or a deployed DynamoDB table, reached with the caller's own AWS credentials.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { openDeployedTable } from "../dynamodb/deployed-table.ts";
import { createDynamoDbStore } from "../dynamodb/memory-store.ts";
import { levelDbPath, openLocalDatabase } from "../local/database.ts";
import type { MemoryStore } from "../memory/memory-store.ts";
import { CliError, EXIT } from "./errors.ts";

export type TargetSpec = { kind: "local"; dataDir: string } | { kind: "table"; tableName: string };

export interface Target {
  store: MemoryStore;
  /** Names it in messages: "the data directory .data", "table memory-mcp-abc". */
  label: string;
  /** A sentence for a failure to reach it (credentials, region, table name), or undefined. */
  describeError(error: unknown): string | undefined;
  close(): Promise<void>;
}

/** DynamoDB's rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * Opens the target. A missing data directory is an error unless `create` (an import may fill a new one);
 * a deployed table is never created: it comes from `make deploy`.
 */
export async function openTarget(spec: TargetSpec, { create }: { create: boolean }): Promise<Target> {
  // List cursors live only as long as this run: a fresh secret signs them.
  const cursorSecret = randomBytes(32);
  if (spec.kind === "table") {
    if (!TABLE_NAME.test(spec.tableName)) {
      throw new CliError(
        `--table ${JSON.stringify(spec.tableName)} is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -).`,
        EXIT.usage,
      );
    }
    const table = await openDeployedTable(spec.tableName, cursorSecret);
    try {
      // One small read first: a wrong name, region or login is reported before any file is touched.
      await table.store.list({ limit: 1 });
    } catch (error) {
      table.close();
      const sentence = table.describeError(error);
      throw sentence === undefined ? error : new CliError(sentence);
    }
    return {
      store: table.store,
      label: `table ${spec.tableName}`,
      describeError: table.describeError,
      close: async () => table.close(),
    };
  }
  const { dataDir } = spec;
  if (!create && !existsSync(levelDbPath(dataDir))) {
    throw new CliError(
      `No memories in ${dataDir}: it is not a data directory of \`npm start\` (set --data-dir or DATA_DIR).`,
    );
  }
  const database = await openLocalDatabase(dataDir);
  return {
    store: createDynamoDbStore({ client: database.client, tableName: database.tableName, cursorSecret }),
    label: `the data directory ${dataDir}`,
    describeError: () => undefined,
    close: database.close,
  };
}
