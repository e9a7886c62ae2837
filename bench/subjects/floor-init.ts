// Subject "floor-init": the floor with its one-time work done in INIT, the way ours does it (src/coldstart/warm-up.ts):
// a pass of its own handler and the same read-only DynamoDB calls (a Query of at most two items, a GetItem of
// a key no item has), bounded in time, then its create and search through the same dry run (nothing sent),
// all behind top-level await.
import { GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { dryRun } from "../../src/dynamodb/dry-run.ts";
import { client, handler, tableName } from "./floor-core.ts";

export { handler };

/** The floor reads nothing of an event but its body. */
function call(message: unknown): Promise<unknown> {
  return handler({ body: JSON.stringify(message) } as LambdaFunctionURLEvent);
}

async function readOnlyPass(): Promise<void> {
  await call({ jsonrpc: "2.0", id: 0, method: "initialize", params: {} });
  await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": { S: "MEM" }, ":prefix": { S: "M#" } },
      Limit: 2,
    }),
  );
  await client.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: "MEM" }, sk: { S: "M#none" } } }),
  );
}

let timer: NodeJS.Timeout | undefined;
await Promise.race([
  readOnlyPass().catch(() => {}),
  new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 1_000);
  }),
]);
clearTimeout(timer);
await dryRun(client, async () => {
  const create = { name: "create_memory", arguments: { content: "Warm-up: born on 14 March 2019." } };
  await call({ jsonrpc: "2.0", id: 1, method: "tools/call", params: create });
  await call({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "search_memories" } });
}).catch(() => {});
