// Pins down the DynamoDB client and table set-up (src/dynamodb/client.ts) against dynalite: ensureTable creates
// the table of table.json once, even when called concurrently, and the client drops the SDK's logger middleware.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DescribeTableCommand, DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import {
  createDynamoDbClient,
  createDynamoDbStore,
  ensureTable,
  SDK_LOGGER_MIDDLEWARE,
} from "../../src/dynamodb/memory-store.ts";
import { createTestStore, TEST_CURSOR_SECRET } from "../helpers/dynalite.ts";
import { database } from "./memory-store-support.ts";

describe("ensureTable", () => {
  test("creates the table from table.json once and is a no-op afterwards", async () => {
    const tableName = `ensure-${Date.now()}`;
    await ensureTable(database.client, tableName);
    await ensureTable(database.client, tableName);
    await Promise.all([ensureTable(database.client, tableName), ensureTable(database.client, tableName)]);
    const { Table } = await database.client.send(new DescribeTableCommand({ TableName: tableName }));
    assert.deepStrictEqual(
      {
        status: Table?.TableStatus,
        keys: Table?.KeySchema,
        attributes: Table?.AttributeDefinitions,
        billing: Table?.BillingModeSummary?.BillingMode,
      },
      {
        status: "ACTIVE",
        keys: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        attributes: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        billing: "PAY_PER_REQUEST",
      },
    );
    const store = createDynamoDbStore({
      client: database.client,
      tableName,
      cursorSecret: TEST_CURSOR_SECRET,
    });
    assert.equal((await store.create("works", [])).duplicate, false);
  });
});

describe("client", () => {
  test("createDynamoDbClient drops the SDK's logger middleware, which copies every answer for a no-op logger", async () => {
    const info: unknown[] = [];
    const client = createDynamoDbClient({
      region: "us-east-1",
      endpoint: database.endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    // A client built the SDK's way has the middleware: the name we remove is the one the SDK uses.
    const stock = new DynamoDBClient({ region: "us-east-1" });
    assert.ok(
      stock.middlewareStack.identify().some((entry) => entry.startsWith(`${SDK_LOGGER_MIDDLEWARE} `)),
    );
    assert.ok(
      !client.middlewareStack.identify().some((entry) => entry.startsWith(`${SDK_LOGGER_MIDDLEWARE} `)),
    );
    // And the client still works: a logger set afterwards is never handed a redacted copy of a command.
    client.config.logger = { ...client.config.logger, info: (entry: unknown) => info.push(entry) };
    const { tableName } = await createTestStore(database);
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: "MEM" } },
      }),
    );
    assert.deepStrictEqual([page.Count, info], [0, []]);
    client.destroy();
    stock.destroy();
  });
});
