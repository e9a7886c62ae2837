// The DynamoDB client as Lambda needs it (bounded retries and timeouts, no logger copy), and the table
// creation the local server and tests use.

import { setTimeout as sleep } from "node:timers/promises";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from "@aws-sdk/client-dynamodb";
import table from "./table.json" with { type: "json" };

/** The name @aws-sdk/core registers its logger middleware under. */
/**
 * The DynamoDB client, as code outside src/dynamodb/ holds it: made by createDynamoDbClient() and handed back
 * to this folder's functions, never used directly, so the AWS SDK's types stay in this folder.
 */
export type DynamoDbClient = DynamoDBClient;

export const SDK_LOGGER_MIDDLEWARE = "loggerMiddleware";

const TABLE_ACTIVE_TIMEOUT_MS = 60_000;
const TABLE_POLL_MS = 100;

/**
 * The client for Lambda, tuned so that a DynamoDB outage surfaces as a clear error inside the 10 s function
 * timeout instead of as a timeout of its own. Per command: at most 3 attempts; each is cut off 2.5 s after it
 * starts (requestTimeout runs on the wall clock, connecting included; connectionTimeout gives up on an
 * unreachable endpoint after 1 s already). Between attempts the SDK's standard mode sleeps a random part of
 * 50 ms * 2^retry after a transient error, or of 1 s * 2^retry after throttling (which answers at once).
 * Worst case, attempt by attempt, the larger of "timed out, then transient backoff" and "throttled, then
 * throttling backoff": max(2.5 + 0.05, 1) + max(2.5 + 0.1, 2) + 2.5 = 7.65 s, leaving over 2 s for the rest.
 * A store call stops at the first such failure (the store only retries lost optimistic races, which fail
 * within milliseconds), so the bound holds for a whole tool call.
 * Region, endpoint and credentials come from the environment, as in Lambda; `connection` overrides them for
 * tests (dynalite).
 */
export function createDynamoDbClient(
  connection: Pick<DynamoDBClientConfig, "region" | "endpoint" | "credentials"> = {},
): DynamoDBClient {
  const client = new DynamoDBClient({
    ...connection,
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: 1_000,
      requestTimeout: 2_500,
      // Without this the handler only logs a warning when requestTimeout passes (smithy >= 4.x).
      throwOnRequestTimeout: true,
    },
  });
  // The SDK's logger middleware builds a redacted copy of every command's input and output (walking each
  // item attribute by attribute against the model) before it calls logger.info, even when the logger is the
  // default no-op one: a large share of the CPU of a search (docs/benchmarks/README.md). We never log SDK
  // calls, so it goes.
  client.middlewareStack.remove(SDK_LOGGER_MIDDLEWARE);
  return client;
}

/** Creates the table from table.json (on demand) unless it exists, and waits until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if ((await tableStatus(client, tableName)) === undefined) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [
            { AttributeName: table.partitionKey.name, AttributeType: "S" },
            { AttributeName: table.sortKey.name, AttributeType: "S" },
          ],
          KeySchema: [
            { AttributeName: table.partitionKey.name, KeyType: "HASH" },
            { AttributeName: table.sortKey.name, KeyType: "RANGE" },
          ],
        }),
      );
    } catch (error) {
      // Someone else created it between our look and our create: fine, wait for it below.
      if (!(error instanceof Error && error.name === "ResourceInUseException")) throw error;
    }
  }
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const status = await tableStatus(client, tableName);
    if (status === "ACTIVE") return;
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} is ${status ?? "missing"}, not ACTIVE, after 60 s`);
    await sleep(TABLE_POLL_MS);
  }
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const output = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return output.Table?.TableStatus ?? "UNKNOWN";
  } catch (error) {
    if (error instanceof Error && error.name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}
