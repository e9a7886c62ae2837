// Pins down the TransactWriteItems emulation in front of dynalite, on which the store's tests rely: all
// actions apply or none do, a cancellation carries one reason per action as DynamoDB's does, invalid
// transactions are rejected whole, and every other operation passes through unchanged.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { ensureTable } from "../../src/dynamodb/memory-store.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";

let database: Dynalite;
let counter = 0;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

async function freshTable(): Promise<string> {
  counter += 1;
  const tableName = `transactions-${counter}`;
  await ensureTable(database.client, tableName);
  return tableName;
}

function key(sk: string): Record<string, AttributeValue> {
  return { pk: { S: "P" }, sk: { S: sk } };
}

async function items(tableName: string): Promise<Record<string, string | undefined>[]> {
  const output = await database.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return (output.Items ?? [])
    .map((item) =>
      Object.fromEntries(Object.entries(item).map(([name, value]) => [name, value.S ?? value.N])),
    )
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

test("a transaction whose conditions hold applies every action", async () => {
  const tableName = await freshTable();
  await database.client.send(
    new PutItemCommand({ TableName: tableName, Item: { ...key("b"), n: { N: "1" } } }),
  );
  await database.client.send(
    new PutItemCommand({ TableName: tableName, Item: { ...key("c"), n: { N: "1" } } }),
  );
  await database.client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { ...key("a"), n: { N: "1" } },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: key("b"),
            UpdateExpression: "SET n = n + :one",
            ConditionExpression: "n = :one",
            ExpressionAttributeValues: { ":one": { N: "1" } },
          },
        },
        { Delete: { TableName: tableName, Key: key("c"), ConditionExpression: "attribute_exists(pk)" } },
      ],
    }),
  );
  assert.deepStrictEqual(await items(tableName), [
    { pk: "P", sk: "a", n: "1" },
    { pk: "P", sk: "b", n: "2" },
  ]);
});

test("a failed condition cancels the whole transaction with one reason per action, and undoes the rest", async () => {
  const tableName = await freshTable();
  await database.client.send(
    new PutItemCommand({ TableName: tableName, Item: { ...key("b"), n: { N: "5" } } }),
  );
  await database.client.send(
    new PutItemCommand({ TableName: tableName, Item: { ...key("d"), n: { N: "7" } } }),
  );
  const before = await items(tableName);
  const error = await database.client
    .send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { ...key("a"), n: { N: "1" } } } },
          {
            Put: {
              TableName: tableName,
              Item: { ...key("b"), n: { N: "6" } },
              ConditionExpression: "attribute_not_exists(pk)",
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: key("c"),
              UpdateExpression: "SET n = :n",
              ExpressionAttributeValues: { ":n": { N: "3" } },
            },
          },
          { Delete: { TableName: tableName, Key: key("d") } },
        ],
      }),
    )
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  assert.ok(error instanceof TransactionCanceledException);
  assert.deepStrictEqual(error.CancellationReasons, [
    { Code: "None" },
    {
      Code: "ConditionalCheckFailed",
      Message: "The conditional request failed",
      Item: { ...key("b"), n: { N: "5" } },
    },
    { Code: "None" },
    { Code: "None" },
  ]);
  assert.deepStrictEqual(await items(tableName), before);
});

test("two actions on one item, or a ConditionCheck, are rejected whole as a ValidationException", async () => {
  const tableName = await freshTable();
  const attempts = [
    [
      { Put: { TableName: tableName, Item: { ...key("a"), n: { N: "1" } } } },
      { Delete: { TableName: tableName, Key: { sk: { S: "a" }, pk: { S: "P" } } } },
    ],
    [
      {
        ConditionCheck: { TableName: tableName, Key: key("a"), ConditionExpression: "attribute_exists(pk)" },
      },
    ],
  ];
  for (const TransactItems of attempts) {
    await assert.rejects(database.client.send(new TransactWriteItemsCommand({ TransactItems })), {
      name: "ValidationException",
    });
  }
  assert.deepStrictEqual(await items(tableName), []);
});

test("other operations pass through to dynalite", async () => {
  const tableName = await freshTable();
  await database.client.send(
    new PutItemCommand({ TableName: tableName, Item: { ...key("a"), text: { S: "héllo 👋" } } }),
  );
  const output = await database.client.send(
    new GetItemCommand({ TableName: tableName, Key: key("a"), ConsistentRead: true }),
  );
  assert.deepStrictEqual(output.Item, { ...key("a"), text: { S: "héllo 👋" } });
  await assert.rejects(
    database.client.send(new GetItemCommand({ TableName: "no-such-table", Key: key("a") })),
    {
      name: "ResourceNotFoundException",
    },
  );
});
