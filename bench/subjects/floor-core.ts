// The floor subjects' handler: no MCP layer, no validation, no auth. It parses the JSON body, answers
// initialize and tools/list with fixed text and turns each tool call into the one DynamoDB call our store
// makes for it (TransactWriteItems for a create, Query for a search) on a client configured like ours:
// the least any MCP server on this stack can do for the same session.
import { createHash, randomUUID } from "node:crypto";
import { DynamoDBClient, QueryCommand, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";

export const tableName = process.env.TABLE_NAME ?? "";
/**
 * createDynamoDbClient() (src/dynamodb/memory-store.ts), copied rather than imported: importing that module would
 * also run our store's module-level work (search analysis tables) in the floor's INIT. Same options, and the
 * same SDK logger middleware removed.
 */
export const client = new DynamoDBClient({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_500, throwOnRequestTimeout: true },
});
client.middlewareStack.remove("loggerMiddleware");

const INITIALIZE_RESULT =
  '{"protocolVersion":"2025-11-25","capabilities":{"tools":{"listChanged":false}},"serverInfo":{"name":"floor","version":"0"}}';
const TOOLS_RESULT =
  '{"tools":[{"name":"create_memory","inputSchema":{"type":"object"}},{"name":"search_memories","inputSchema":{"type":"object"}}]}';

interface Message {
  id?: string | number;
  method?: string;
  params?: { name?: string; arguments?: { content?: string; query?: string } };
}

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  const message = JSON.parse(event.body ?? "{}") as Message; // the floor trusts its input
  if (message.id === undefined) return { statusCode: 202, body: "" };
  switch (message.method) {
    case "initialize":
      return ok(message.id, INITIALIZE_RESULT);
    case "tools/list":
      return ok(message.id, TOOLS_RESULT);
    case "tools/call":
      if (message.params?.name === "create_memory") {
        const id = randomUUID();
        const content = message.params.arguments?.content ?? "";
        const hash = createHash("sha256").update(content).digest("hex");
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              put({ pk: { S: "MEM" }, sk: { S: `H#${hash}` }, memoryId: { S: id } }),
              put({ pk: { S: "MEM" }, sk: { S: `M#${id}` }, id: { S: id }, content: { S: content } }),
            ],
          }),
        );
        return ok(message.id, JSON.stringify({ content: [{ type: "text", text: id }] }));
      }
      if (message.params?.name === "search_memories") {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues: { ":pk": { S: "MEM" }, ":prefix": { S: "M#" } },
          }),
        );
        return ok(message.id, JSON.stringify({ content: [{ type: "text", text: String(page.Count) }] }));
      }
      return ok(message.id, '{"content":[],"isError":true}');
    default:
      return ok(message.id, "{}");
  }
}

function put(item: Record<string, { S: string }>): {
  Put: { TableName: string; Item: typeof item; ConditionExpression: string };
} {
  return { Put: { TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" } };
}

function ok(id: string | number, result: string): LambdaFunctionURLResult {
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result}}`,
  };
}
