// Fills a fresh table with many memories fast, still through the store: the store's create runs on a client
// that answers from memory and keeps what it would write (captureWrites); the items then go to the table
// in BatchWriteItem requests; the index entries the creates SET on shared items (a term's buckets) are merged
// per item and put after every memory; the statistics counters the creates ADD go last, summed, one
// UpdateItem per key. The table ends up holding what those creates would have written, at a fraction of the
// cost of one TransactWriteItems per memory through dynalite's transaction front.
import { setTimeout as sleep } from "node:timers/promises";
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  UpdateItemCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import table from "../src/dynamodb/table.json" with { type: "json" };
import type { MemoryStore } from "../src/memory/memory-store.ts";

type Item = Record<string, AttributeValue>;

/** What a store's creates sent to a capturing client: items to put, and numbers to ADD per key. */
export interface CapturedWrites {
  client: DynamoDBClient;
  /** The items put since the last call (the last put of a key wins), and forgets them. */
  takeItems(): Item[];
  /** Every counter ADDed since the start: per key, the sum of each attribute's increments. */
  counters(): { key: Item; sums: Record<string, number> }[];
  /** Every item updated by `SET` since the start, each with all the attributes set on it (the last wins). */
  setItems(): Item[];
}

interface WriteInput {
  TableName?: string;
  Item?: Item;
  Key?: Item;
  ConditionExpression?: string;
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  TransactItems?: { Put?: WriteInput; Update?: WriteInput; Delete?: unknown; ConditionCheck?: unknown }[];
}

const CAPTURE_MIDDLEWARE = "bench-capture-writes";
/** What a create of a fresh memory may read: nothing is stored yet, so every read finds nothing. */
const EMPTY_READS: Record<string, object> = {
  GetItemCommand: {},
  QueryCommand: { Items: [], Count: 0, ScannedCount: 0 },
  BatchGetItemCommand: { Responses: {}, UnprocessedKeys: {} },
};
/** A Put condition a fresh table always meets, provided no key is put twice (checked). */
const PUT_IF_ABSENT = /^\s*attribute_not_exists\(\s*#?\w+\s*\)\s*$/;

/**
 * A DynamoDB client whose every command is answered in this process, before serialisation (the input is
 * exactly what the store built): Put / PutItem items are kept, ADD-only updates of numbers are summed per
 * key, SET-only updates merged per key, reads find nothing. Anything else (a delete, a REMOVE, an unknown
 * command) throws, so that the fill cannot silently differ from what the creates would have written.
 */
export function captureWrites(tableName: string): CapturedWrites {
  const client = new DynamoDBClient({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9", // never reached: every command is answered by the middleware
    credentials: { accessKeyId: "capture", secretAccessKey: "capture" },
  });
  let items = new Map<string, Item>();
  const counters = new Map<string, { key: Item; sums: Record<string, number> }>();
  const setItems = new Map<string, Item>();
  /** Keys put under "only if absent": a second such put would have failed its condition. */
  const absentKeys = new Set<string>();

  const put = (input: WriteInput): void => {
    checkTable(input, tableName);
    const item = input.Item;
    if (item === undefined) throw new Error("capture: a Put without an Item");
    const key = keyString(item);
    if (counters.has(key) || setItems.has(key))
      throw new Error(`capture: a Put of ${key}, which is also updated`);
    if (input.ConditionExpression !== undefined) {
      if (!PUT_IF_ABSENT.test(input.ConditionExpression))
        throw new Error(`capture: a Put with condition ${input.ConditionExpression}`);
      if (absentKeys.has(key)) throw new Error(`capture: ${key} put twice "only if absent"`);
      absentKeys.add(key);
    }
    items.set(key, item);
  };
  const update = (input: WriteInput): void => {
    checkTable(input, tableName);
    if (input.Key === undefined) throw new Error("capture: an Update without a Key");
    const key = keyString(input.Key);
    if (items.has(key)) throw new Error(`capture: ${key} updated, which is also put`);
    if (input.ConditionExpression !== undefined)
      throw new Error(`capture: an Update with condition ${input.ConditionExpression}`);
    if (/^\s*SET\s/i.test(input.UpdateExpression ?? "")) {
      if (counters.has(key)) throw new Error(`capture: SET on ${key}, whose counters are ADDed`);
      const item = setItems.get(key) ?? { ...input.Key };
      for (const [name, value] of parseSet(input)) item[name] = value;
      setItems.set(key, item);
      return;
    }
    if (setItems.has(key)) throw new Error(`capture: counters ADDed to ${key}, which is SET`);
    const entry = counters.get(key) ?? { key: input.Key, sums: {} };
    for (const [name, value] of parseAdd(input)) entry.sums[name] = (entry.sums[name] ?? 0) + value;
    counters.set(key, entry);
  };

  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = args.input as WriteInput; // the command's input, as the store built it
      const name = context.commandName ?? "";
      if (name === "TransactWriteItemsCommand") {
        for (const action of command.TransactItems ?? []) {
          if (action.Put !== undefined) put(action.Put);
          else if (action.Update !== undefined) update(action.Update);
          else throw new Error(`capture: a transaction action it does not know: ${Object.keys(action)}`);
        }
      } else if (name === "PutItemCommand") put(command);
      else if (name === "UpdateItemCommand") update(command);
      else if (!(name in EMPTY_READS)) throw new Error(`capture: a command it does not know: ${name}`);
      const output = { ...(EMPTY_READS[name] ?? {}), $metadata: {} };
      // The output the SDK would have deserialised from DynamoDB's answer; nothing is sent.
      return { output: output as never, response: {} };
    },
    // The outermost step: before serialisation, signing and the HTTP handler, none of which runs.
    { step: "initialize", priority: "high", name: CAPTURE_MIDDLEWARE },
  );

  return {
    client,
    takeItems() {
      const taken = [...items.values()];
      items = new Map();
      return taken;
    },
    counters: () => [...counters.values()],
    setItems: () => [...setItems.values()],
  };
}

function checkTable(input: WriteInput, tableName: string): void {
  if (input.TableName !== tableName)
    throw new Error(`capture: a write to ${input.TableName}, not ${tableName}`);
}

function keyString(item: Item): string {
  const [pk, sk] = [item[table.partitionKey.name]?.S, item[table.sortKey.name]?.S];
  if (pk === undefined || sk === undefined) throw new Error(`capture: an item without a string key`);
  return `${pk}\u0000${sk}`;
}

/** The (attribute, increment) pairs of an `ADD #a :x, #b :y` update of numbers; throws on anything else. */
function parseAdd(input: WriteInput): [string, number][] {
  const expression = input.UpdateExpression ?? "";
  const clause = /^\s*ADD\s+(.+)$/i.exec(expression)?.[1];
  if (clause === undefined) throw new Error(`capture: an update it does not know: ${expression}`);
  return clause.split(",").map((part) => {
    const [, name = "", value = ""] = /^\s*(#?\w+)\s+(:\w+)\s*$/.exec(part) ?? [];
    const attribute = name.startsWith("#") ? input.ExpressionAttributeNames?.[name] : name;
    const number = input.ExpressionAttributeValues?.[value]?.N;
    if (attribute === undefined || number === undefined)
      throw new Error(`capture: ADD of something other than a number: ${expression}`);
    return [attribute, Number(number)];
  });
}

/** The (attribute, value) pairs of a `SET #a = :x, #b = :y` update; throws on anything else. */
function parseSet(input: WriteInput): [string, AttributeValue][] {
  const expression = input.UpdateExpression ?? "";
  const clause = /^\s*SET\s+(.+)$/i.exec(expression)?.[1] ?? "";
  return clause.split(",").map((part) => {
    const [, name = "", value = ""] = /^\s*(#?\w+)\s*=\s*(:\w+)\s*$/.exec(part) ?? [];
    const attribute = name.startsWith("#") ? input.ExpressionAttributeNames?.[name] : name;
    const assigned = input.ExpressionAttributeValues?.[value];
    if (attribute === undefined || assigned === undefined)
      throw new Error(`capture: a SET it does not know: ${expression}`);
    return [attribute, assigned];
  });
}

/** Items per BatchWriteItem request (the DynamoDB maximum) and requests in flight. */
const BATCH_SIZE = 25;
const BATCHES_IN_FLIGHT = 4;
const MAX_BATCH_ATTEMPTS = 10;

/** Puts `items` with BatchWriteItem, several requests in flight, retrying unprocessed items with backoff. */
export async function batchPut(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Item[],
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let start = next; start < items.length; start = next) {
      next += BATCH_SIZE;
      let requests: WriteRequest[] = items
        .slice(start, start + BATCH_SIZE)
        .map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > MAX_BATCH_ATTEMPTS)
          throw new Error(`${requests.length} items still unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
        if (attempt > 1) await sleep(Math.min(50 * 2 ** attempt, 2_000) * Math.random());
        const output = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
        );
        requests = output.UnprocessedItems?.[tableName] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: BATCHES_IN_FLIGHT }, worker));
}

/** Adds each captured counter's sums to its item, as the creates' ADDs together would have. */
export async function addCounters(
  client: DynamoDBClient,
  tableName: string,
  counters: readonly { key: Item; sums: Record<string, number> }[],
): Promise<void> {
  for (const { key, sums } of counters) {
    const entries = Object.entries(sums);
    if (entries.length === 0) continue;
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: `ADD ${entries.map((_, i) => `#a${i} :v${i}`).join(", ")}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#a${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(
          entries.map(([, value], i) => [`:v${i}`, { N: String(value) }]),
        ),
      }),
    );
  }
}

export interface FillOptions {
  /** The real client, for the writes. */
  client: DynamoDBClient;
  /** An empty table: the creates' conditions (only if absent) are taken as met. */
  tableName: string;
  /** A store on the given (capturing) client; either version of our store. */
  storeOn(client: DynamoDBClient): MemoryStore;
  size: number;
  /** The content and tags of memory `index` (each distinct: identical content is stored once). */
  memory(index: number): { content: string; tags: string[] };
  /** Called with the id of every memory created. */
  created?(index: number, id: string): void;
  /** Memories created in memory before their items are written; bounds the harness's memory. */
  chunk?: number;
}

export interface FillReport {
  items: number;
  seconds: number;
}

/** Creates `size` memories through the store on a capturing client and writes what they wrote, chunk by chunk. */
export async function fillThroughStore(options: FillOptions): Promise<FillReport> {
  const { client, tableName, size, chunk = 1000 } = options;
  const capture = captureWrites(tableName);
  const store = options.storeOn(capture.client);
  const started = performance.now();
  let items = 0;
  try {
    for (let start = 0; start < size; start += chunk) {
      for (let index = start; index < Math.min(start + chunk, size); index++) {
        const { content, tags } = options.memory(index);
        const result = await store.create(content, tags);
        if (result.duplicate) throw new Error(`fill: memory ${index} was a duplicate`);
        options.created?.(index, result.memory.id);
      }
      const chunkItems = capture.takeItems();
      items += chunkItems.length;
      await batchPut(client, tableName, chunkItems);
      const done = Math.min(start + chunk, size);
      const seconds = (performance.now() - started) / 1000;
      console.error(
        `filled ${done.toLocaleString("en")} of ${size.toLocaleString("en")} memories ` +
          `(${items.toLocaleString("en")} items) in ${seconds.toFixed(0)} s, ` +
          `${Math.round(done / seconds)} memories/s, ${((size - done) / (done / seconds)).toFixed(0)} s to go, ` +
          `RSS ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB`,
      );
    }
    const setItems = capture.setItems();
    items += setItems.length;
    await batchPut(client, tableName, setItems);
    await addCounters(client, tableName, capture.counters());
  } finally {
    capture.client.destroy();
  }
  return { items, seconds: (performance.now() - started) / 1000 };
}
