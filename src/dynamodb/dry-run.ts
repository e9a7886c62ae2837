// A dry run of DynamoDB on the real client, for the INIT warm-up (src/coldstart/warm-up.ts): while `work` runs, every
// call the client makes goes through the SDK's whole pipeline (serialisation, endpoint, signing,
// deserialisation) but is answered from memory at the last step, where the HTTP request would be sent.
// Nothing leaves the process, so the write commands (TransactWriteItems) can be warmed without writing.
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";

type Item = Record<string, AttributeValue>;

interface Update {
  Key?: Item;
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

interface Request {
  TransactItems?: { Put?: { Item?: Item }; Update?: Update }[];
  Key?: Item;
  RequestItems?: Record<string, { Keys?: Item[] }>;
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

const MIDDLEWARE = "memory-mcp-dry-run";

/**
 * Runs `work` with `client` answering from memory. Of TransactWriteItems, the items of its Puts are kept,
 * and so are the attributes its Updates of only `SET #name = :value` parts set (the index's entries); other
 * Updates (the statistics' ADDs) are dropped. Of an UpdateItem, the key of its item is kept without the
 * update's attributes: enough for the index's META marker, so a second search takes the index path. GetItem
 * and BatchGetItem find items by key, Query by a key condition of `name = :value` and
 * `begins_with(name, :value)` parts, and every other call gets an empty answer. Once `work` settles, calls
 * reach DynamoDB again, except those begun inside the dry run: they fail, so that a late one can never write.
 * Only for INIT, when nothing else uses the client; refused for a client that caches its middleware.
 */
export async function dryRun<T>(client: DynamoDBClient, work: () => Promise<T>): Promise<T> {
  if (client.config.cacheMiddleware === true) {
    throw new Error("dryRun needs a client without cacheMiddleware: a cached stack would keep the dry run");
  }
  const items: Item[] = [];
  let active = true;
  client.middlewareStack.add(
    () => async (args) => {
      if (!active) throw new Error("a call begun in a DynamoDB dry run ended after it");
      const request = args.request as { headers: Record<string, string>; body?: unknown }; // an HttpRequest here
      const operation = request.headers["x-amz-target"]?.split(".")[1] ?? "";
      const text = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : request.body;
      const input = JSON.parse(typeof text === "string" ? text : "{}") as Request;
      const body = new TextEncoder().encode(JSON.stringify(answer(items, operation, input)));
      const response = { statusCode: 200, headers: { "content-type": "application/x-amz-json-1.0" }, body };
      // The SDK's deserializer, one step out, turns this HTTP response into the command's output.
      return { response, output: undefined as never };
    },
    // The innermost step: after signing, right where the request would be handed to the HTTP client.
    { step: "deserialize", priority: "low", name: MIDDLEWARE },
  );
  try {
    return await work();
  } finally {
    active = false;
    client.middlewareStack.remove(MIDDLEWARE);
  }
}

function answer(items: Item[], operation: string, input: Request): unknown {
  switch (operation) {
    case "TransactWriteItems":
      for (const action of input.TransactItems ?? []) {
        if (action.Put?.Item) items.push(action.Put.Item);
        if (action.Update) applySets(items, action.Update);
      }
      return {};
    case "UpdateItem":
      if (input.Key !== undefined && findByKey(items, input.Key) === undefined) items.push({ ...input.Key });
      return {};
    case "GetItem": {
      const item = findByKey(items, input.Key ?? {});
      return item === undefined ? {} : { Item: item };
    }
    case "BatchGetItem": {
      const responses: Record<string, Item[]> = {};
      for (const [tableName, { Keys = [] }] of Object.entries(input.RequestItems ?? {})) {
        responses[tableName] = Keys.map((key) => findByKey(items, key)).filter((item) => item !== undefined);
      }
      return { Responses: responses, UnprocessedKeys: {} };
    }
    case "Query": {
      const found = items.filter((item) => matchesKeyCondition(item, input));
      return { Items: found, Count: found.length, ScannedCount: found.length };
    }
    default:
      return {};
  }
}

/** An update of only `SET #name = :value` parts, applied to its item (made if absent); any other is skipped. */
function applySets(items: Item[], update: Update): void {
  const parts = /^SET (.*)$/.exec(update.UpdateExpression ?? "")?.[1]?.split(",") ?? [];
  const sets = parts.map((part) => /^\s*(#\w+)\s*=\s*(:\w+)\s*$/.exec(part));
  if (update.Key === undefined || sets.length === 0 || sets.some((set) => set === null)) return;
  let item = findByKey(items, update.Key);
  if (item === undefined) {
    item = { ...update.Key };
    items.push(item);
  }
  // `as`: none of them is null (checked above).
  for (const [, name = "", value = ""] of sets as RegExpExecArray[]) {
    const attribute = update.ExpressionAttributeNames?.[name];
    const assigned = update.ExpressionAttributeValues?.[value];
    if (attribute !== undefined && assigned !== undefined) item[attribute] = assigned;
  }
}

function findByKey(items: readonly Item[], key: Item): Item | undefined {
  const parts = Object.entries(key);
  return items.find((candidate) => parts.every(([name, value]) => candidate[name]?.S === value.S));
}

function matchesKeyCondition(item: Item, input: Request): boolean {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  return (input.KeyConditionExpression ?? "").split(/\s+AND\s+/i).every((part) => {
    const equals = /^\s*(#?\w+)\s*=\s*(:\w+)\s*$/.exec(part);
    const prefix = /^\s*begins_with\(\s*(#?\w+)\s*,\s*(:\w+)\s*\)\s*$/.exec(part);
    const [, name = "", value = ""] = equals ?? prefix ?? [];
    const actual = item[names[name] ?? name]?.S;
    const expected = values[value]?.S;
    if (actual === undefined || expected === undefined) return false;
    return equals ? actual === expected : actual.startsWith(expected);
  });
}
