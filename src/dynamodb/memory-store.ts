// The DynamoDB implementation of MemoryStore, and every DynamoDB command the application sends (the IAM
// policy is checked against DYNAMODB_COMMANDS_USED). Attribute maps are written by hand: no lib-dynamodb.
//
// Access patterns. One partition holds the owner's memories (pk = "MEM"); key schema in ./table.json.
//
// | Pattern                          | Items (pk = "MEM")                          | Command                                   |
// | -------------------------------- | ------------------------------------------- | ----------------------------------------- |
// | Create a memory                  | sk = H#<sha256> (guard), sk = M#<ulid>      | TransactWriteItems: Put guard, Put memory |
// |                                  |                                             | (both attribute_not_exists)               |
// | Find the memory holding content  | sk = H#<sha256 of normalised content>       | GetItem (consistent) -> memoryId          |
// | Get a memory                     | sk = M#<id>                                 | GetItem (consistent)                      |
// | Update tags (same content key)   | sk = M#<id>                                 | UpdateItem if version = read version      |
// | Update content                   | M#<id>, old H#<hash>, new H#<hash>          | TransactWriteItems: Update memory         |
// |                                  |                                             | (version = read), Delete old guard, Put   |
// |                                  |                                             | new guard (attribute_not_exists)          |
// | Delete a memory                  | M#<id>, its H#<hash>                        | TransactWriteItems: Delete both           |
// | List newest first, by tags       | begins_with(sk, "M#"), descending           | Query + FilterExpression contains(tags)   |
// | Read everything for search       | begins_with(sk, "M#")                       | Query, page by page to the end            |
//
// Memory item: id, content (verbatim), tags (L of S), createdAt, updatedAt, version (N), terms (S, the
// analysed terms joined by spaces, so search never re-analyses), contentHash (S, names the guard item).
// Guard item: memoryId. The guard makes "identical content is stored once" hold under races: two creates
// of the same content both try to put the same guard and exactly one transaction wins.
import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactionCanceledException,
  TransactionConflictException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  type CreateResult,
  type IndexedMemory,
  type ListOptions,
  type ListPage,
  type Memory,
  type MemoryChanges,
  type MemoryStore,
  normaliseTags,
  StoreError,
  type UpdateResult,
} from "../memory/memory-store.ts";
import { createUlidGenerator, isUlid } from "../memory/ulid.ts";
import { analyze } from "../search/analyze.ts";
import { createCursorCodec, filterKey } from "./cursor.ts";
import { expressionAttributeNames } from "./expressions.ts";
import table from "./table.json" with { type: "json" };

/** The commands the store sends at run time: what the Lambda's IAM policy must allow. */
export const DYNAMODB_COMMANDS_USED = ["GetItem", "Query", "TransactWriteItems", "UpdateItem"] as const;
/** The commands ensureTable sends: local server and tests only, never granted to the Lambda. */
export const DYNAMODB_SETUP_COMMANDS = ["CreateTable", "DescribeTable"] as const;
/**
 * The IAM actions behind DYNAMODB_COMMANDS_USED. TransactWriteItems has no IAM action of its own: each
 * Put / Update / Delete inside it is authorised as PutItem / UpdateItem / DeleteItem
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export const DYNAMODB_IAM_ACTIONS = [
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
] as const;

export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Signs list cursors (HMAC-SHA256). */
  cursorSecret: string | Uint8Array;
  now?: () => Date;
  /** Makes a fresh ULID; by default from `now`, monotonic within the process. */
  newId?: () => string;
  /** Aborts every command and backoff of this store when it fires (see MemoryStore.withDeadline). */
  signal?: AbortSignal;
}

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
  // default no-op one: for a search reading every memory, that walk is a large share of the CPU spent on the
  // answer (docs/benchmarks/README.md). We never log SDK calls, so it goes.
  client.middlewareStack.remove(SDK_LOGGER_MIDDLEWARE);
  return client;
}

/** The name @aws-sdk/core registers its logger middleware under. */
export const SDK_LOGGER_MIDDLEWARE = "loggerMiddleware";

export function createDynamoDbStore(options: DynamoDbStoreOptions): MemoryStore {
  return new DynamoDbMemoryStore(options);
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
    await delay(TABLE_POLL_MS);
  }
}

/**
 * Turns a failure of DynamoDB itself into the StoreError the model can act on: throttled or unavailable
 * (after the SDK's own retries). Returns undefined for everything else (condition failures, which the
 * caller interprets, and programming or validation errors, which must surface untouched).
 */
export function toServiceStoreError(error: unknown): StoreError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (
    THROTTLING_ERRORS.has(error.name) ||
    cancellationCodes(error)?.some((code) => THROTTLING_REASONS.has(code))
  ) {
    return new StoreError(
      "throttled",
      "The memory database is throttling requests right now; retry in a few seconds.",
    );
  }
  const { $metadata, $retryable, code } = error as ServiceErrorFields; // fields the SDK and Node add to errors
  const serverFault = ($metadata?.httpStatusCode ?? 0) >= 500;
  const networkFault =
    (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) || TIMEOUT_ERRORS.has(error.name);
  if (serverFault || networkFault || $retryable !== undefined) {
    return new StoreError(
      "unavailable",
      "The memory database could not be reached or failed; retry in a few seconds.",
    );
  }
  return undefined;
}

// Every key below is a string; a change of key type in table.json must fail here, not write mistyped keys.
if (table.partitionKey.type !== "S" || table.sortKey.type !== "S") {
  throw new Error("src/dynamodb/memory-store.ts needs string (S) keys, but table.json declares other types");
}

const MEMORY_PARTITION = "MEM";
const MEMORY_SK_PREFIX = "M#";
const GUARD_SK_PREFIX = "H#";

const TABLE_ACTIVE_TIMEOUT_MS = 60_000;
const TABLE_POLL_MS = 100;

/**
 * Attempts of one write that keeps losing an optimistic race (condition failed, transaction conflict).
 * With the full-jitter backoff below, 20 writers on one memory all land; the worst case adds ~0.9 s.
 */
// Lost optimistic races fail within milliseconds; 16 tries with the capped backoff below take under 4 s.
export const MAX_WRITE_ATTEMPTS = 16;
const BACKOFF_BASE_MS = 10;
const BACKOFF_CAP_MS = 150;

/** Items list() may evaluate per call, so a selective tag filter cannot read an unbounded partition. */
const LIST_EVALUATION_BUDGET = 2_000;
/** Items evaluated per Query page when filtering by tags (without a filter a page is exactly what's needed). */
const FILTERED_PAGE_SIZE = 250;

const THROTTLING_ERRORS = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  // The SDK's retry of a transaction found its first attempt still running: also "try again shortly".
  "TransactionInProgressException",
]);
const THROTTLING_REASONS = new Set([
  "ThrottlingError",
  "ProvisionedThroughputExceeded",
  "RequestLimitExceeded",
]);
// AbortError: the tool call's deadline (MemoryStore.withDeadline) stopped a command or a backoff.
const TIMEOUT_ERRORS = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "AbortError"]);
const NETWORK_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
]);
const CONDITION_FAILED = "ConditionalCheckFailed";
const TRANSACTION_CONFLICT = "TransactionConflict";

interface ServiceErrorFields {
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  code?: unknown;
}

// Names and condition pieces. Every expression is assembled from these, and each request's
// ExpressionAttributeNames is derived from the placeholders its expressions use (DynamoDB rejects unused ones).
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  "#pk": table.partitionKey.name,
  "#sk": table.sortKey.name,
  "#id": "id",
  "#content": "content",
  "#tags": "tags",
  "#createdAt": "createdAt",
  "#updatedAt": "updatedAt",
  "#version": "version",
  "#terms": "terms",
  "#contentHash": "contentHash",
  "#memoryId": "memoryId",
};
const ITEM_IS_ABSENT = "attribute_not_exists(#pk)";
const VERSION_IS_AS_READ = "#version = :readVersion";
/** A missing guard is tolerated so that one lost guard cannot wedge a memory's updates forever. */
const GUARD_IS_OURS_OR_ABSENT = `${ITEM_IS_ABSENT} OR #memoryId = :id`;
const IN_MEMORY_PARTITION = "#pk = :partition AND begins_with(#sk, :memoryPrefix)";
/** What search reads of each memory: the key attributes and the dedupe digest are left in the table. */
const SEARCH_PROJECTION = "#id, #content, #tags, #createdAt, #updatedAt, #version, #terms";
const SET_MUTABLE_ATTRIBUTES =
  "SET #content = :content, #tags = :tags, #terms = :terms, #contentHash = :contentHash, " +
  "#updatedAt = :updatedAt, #version = :nextVersion";

type Item = Record<string, AttributeValue>;

/** A memory as stored: the Memory plus what the store keeps beside it. */
interface StoredMemory {
  memory: Memory;
  /** analyze() output joined by spaces. */
  terms: string;
  contentHash: string;
}

class DynamoDbMemoryStore implements MemoryStore {
  /** The client, with every command carrying this store's abort signal when it has one. */
  private readonly client: Pick<DynamoDBClient, "send">;
  private readonly tableName: string;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly cursors: ReturnType<typeof createCursorCodec>;
  private readonly signal: AbortSignal | undefined;

  constructor(private readonly options: DynamoDbStoreOptions) {
    const { client, signal } = options;
    this.client =
      signal === undefined
        ? client
        : {
            // Same client and overloads; only the per-command options gain the abort signal.
            send: ((command: Parameters<DynamoDBClient["send"]>[0]) =>
              client.send(command, { abortSignal: signal })) as DynamoDBClient["send"],
          };
    this.signal = signal;
    this.tableName = options.tableName;
    this.now = options.now ?? ((): Date => new Date());
    const ulid = createUlidGenerator();
    this.newId = options.newId ?? ((): string => ulid(this.now().getTime()));
    this.cursors = createCursorCodec(options.cursorSecret);
  }

  withDeadline(signal: AbortSignal): MemoryStore {
    // The id generator is shared, so ids stay monotonic across the views of one store.
    return new DynamoDbMemoryStore({ ...this.options, newId: this.newId, signal });
  }

  async create(content: string, tags: string[]): Promise<CreateResult> {
    const normalisedTags = normaliseTags(tags);
    const contentHash = hashContent(content);
    for (let attempt = 1; ; attempt++) {
      const createdAt = this.now().toISOString();
      const memory: Memory = {
        id: this.newId(),
        content,
        tags: normalisedTags,
        createdAt,
        updatedAt: createdAt,
        version: 1,
      };
      try {
        await mapped(
          this.client.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                this.put(guardItem(contentHash, memory.id), ITEM_IS_ABSENT),
                this.put(
                  memoryItem({ memory, terms: termsOf(content, normalisedTags), contentHash }),
                  ITEM_IS_ABSENT,
                ),
              ],
            }),
          ),
        );
        return { memory, duplicate: false };
      } catch (error) {
        const [guard, item] = cancellationCodes(error) ?? [];
        if (guard === CONDITION_FAILED) {
          const existing = await this.readByContentHash(contentHash);
          if (existing !== undefined) return { memory: existing.memory, duplicate: true };
          // The guard's memory was deleted between our write and our read: the next attempt can win.
        } else if (item !== CONDITION_FAILED && !isTransactionConflict(error)) {
          throw error;
        }
        // An id collision (item) cannot happen with 80 random bits, but a new attempt draws a new id anyway.
        if (attempt >= MAX_WRITE_ATTEMPTS) throw tooManyConflicts("Storing this content");
        await backoff(attempt, this.signal);
      }
    }
  }

  async get(id: string): Promise<Memory | undefined> {
    return (await this.read(id))?.memory;
  }

  /**
   * Optimistic: read, compute, write only if the version is still the one read, else read again. An
   * update that changes nothing (same content byte for byte, same tags) writes nothing and returns the
   * memory as it is, version unchanged. Content that differs only in whitespace is stored (verbatim) but
   * keeps its guard, since the guard names normalised content.
   */
  async update(id: string, changes: MemoryChanges, expectedVersion?: number): Promise<UpdateResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(id);
      if (current === undefined) throw notFound(id);
      if (expectedVersion !== undefined && current.memory.version !== expectedVersion) {
        throw new StoreError(
          "version_conflict",
          `Memory ${id} is at version ${current.memory.version}, not ${expectedVersion}: it changed since you read it. ` +
            "Get it again and reapply your change to the current content.",
        );
      }
      const next = this.applyChanges(current, changes);
      if (next === undefined) return { memory: current.memory, changed: false };
      try {
        await this.writeUpdate(current, next);
        return { memory: next.memory, changed: true };
      } catch (error) {
        const codes = cancellationCodes(error);
        const lostRace =
          error instanceof ConditionalCheckFailedException ||
          isTransactionConflict(error) ||
          codes?.[0] === CONDITION_FAILED ||
          codes?.[1] === CONDITION_FAILED;
        if (!lostRace && codes?.[2] === CONDITION_FAILED) {
          const holder = await this.readByContentHash(next.contentHash);
          if (holder !== undefined) {
            throw new StoreError(
              "duplicate_content",
              `Memory ${holder.memory.id} already holds this content; update or delete that memory instead.`,
              holder.memory.id,
            );
          }
          // That memory was deleted meanwhile: try again.
        } else if (!lostRace) {
          throw error;
        }
        // With expectedVersion, the next read reports the conflict (or not_found) with the current version.
        if (attempt >= MAX_WRITE_ATTEMPTS) throw tooManyConflicts(`Memory ${id}`);
        await backoff(attempt, this.signal);
      }
    }
  }

  async delete(id: string): Promise<Memory> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(id);
      if (current === undefined) throw notFound(id);
      try {
        await mapped(
          this.client.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                this.deleteIf(memoryKey(id), VERSION_IS_AS_READ, {
                  ":readVersion": versionValue(current.memory.version),
                }),
                this.deleteIf(guardKey(current.contentHash), GUARD_IS_OURS_OR_ABSENT, { ":id": { S: id } }),
              ],
            }),
          ),
        );
        return current.memory;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!(isTransactionConflict(error) || codes?.includes(CONDITION_FAILED))) throw error;
        // Changed or deleted meanwhile: the next read deletes the new version or reports not_found.
        if (attempt >= MAX_WRITE_ATTEMPTS) throw tooManyConflicts(`Memory ${id}`);
        await backoff(attempt, this.signal);
      }
    }
  }

  /**
   * Collects `limit` matches plus one more, so nextCursor appears only when another match really follows;
   * the cursor names the last memory returned. A call stops after evaluating LIST_EVALUATION_BUDGET items:
   * then it returns what it found (possibly fewer than `limit`, even none) with a cursor at the last item
   * evaluated, and the next call carries on from there. Only in that case can a cursor lead to an empty page.
   */
  async list(options: ListOptions): Promise<ListPage> {
    const { limit } = options;
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`list limit must be a positive integer, got ${limit}`);
    const tags = normaliseTags(options.tags ?? []);
    const filter = filterKey(tags);
    let startKey: Item | undefined;
    if (options.cursor !== undefined) {
      const position = this.cursors.decode(options.cursor, filter);
      if (!position.ok) throw new StoreError("invalid_cursor", position.message);
      startKey = keyOf(position.sk);
    }

    const found: StoredMemory[] = [];
    let evaluated = 0;
    for (;;) {
      const budget = LIST_EVALUATION_BUDGET - evaluated;
      const pageSize =
        tags.length === 0 ? Math.min(limit + 1 - found.length, budget) : Math.min(FILTERED_PAGE_SIZE, budget);
      const page = await this.queryMemories({ startKey, pageSize, tags });
      evaluated += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) found.push(readMemoryItem(item));

      const lastReturned = found[limit - 1];
      if (found.length > limit && lastReturned !== undefined) {
        return {
          memories: found.slice(0, limit).map((stored) => stored.memory),
          nextCursor: this.cursors.encode(memorySk(lastReturned.memory.id), filter),
        };
      }
      startKey = page.LastEvaluatedKey;
      const memories = found.map((stored) => stored.memory);
      if (startKey === undefined) return { memories };
      if (evaluated >= LIST_EVALUATION_BUDGET) {
        return {
          memories,
          nextCursor: this.cursors.encode(readString(startKey, table.sortKey.name), filter),
        };
      }
    }
  }

  async all(): Promise<IndexedMemory[]> {
    // One array rather than an async iterator of memories: search needs them all anyway (IDF), and a
    // promise per memory was a tenth of a search's CPU at 1,000 memories (bench/search-scale.ts).
    const memories: IndexedMemory[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.queryMemories({ startKey, tags: [], projection: SEARCH_PROJECTION });
      for (const item of page.Items ?? []) memories.push(readIndexedMemory(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return memories;
  }

  private applyChanges(current: StoredMemory, changes: MemoryChanges): StoredMemory | undefined {
    const content = changes.content ?? current.memory.content;
    const tags = changes.tags === undefined ? current.memory.tags : normaliseTags(changes.tags);
    if (content === current.memory.content && sameStrings(tags, current.memory.tags)) return undefined;
    return {
      memory: {
        ...current.memory,
        content,
        tags,
        updatedAt: this.now().toISOString(),
        version: current.memory.version + 1,
      },
      terms: termsOf(content, tags),
      contentHash: content === current.memory.content ? current.contentHash : hashContent(content),
    };
  }

  private async writeUpdate(current: StoredMemory, next: StoredMemory): Promise<void> {
    const { memory } = next;
    const update = {
      TableName: this.tableName,
      Key: memoryKey(memory.id),
      UpdateExpression: SET_MUTABLE_ATTRIBUTES,
      ConditionExpression: VERSION_IS_AS_READ,
      ExpressionAttributeNames: attributeNames(SET_MUTABLE_ATTRIBUTES, VERSION_IS_AS_READ),
      ExpressionAttributeValues: {
        ":content": { S: memory.content },
        ":tags": tagsValue(memory.tags),
        ":terms": { S: next.terms },
        ":contentHash": { S: next.contentHash },
        ":updatedAt": { S: memory.updatedAt },
        ":nextVersion": versionValue(memory.version),
        ":readVersion": versionValue(current.memory.version),
      },
    };
    if (next.contentHash === current.contentHash) {
      await mapped(this.client.send(new UpdateItemCommand(update)));
      return;
    }
    // New normalised content moves the guard in the same transaction. Reasons are read by index in update().
    await mapped(
      this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: update },
            this.deleteIf(guardKey(current.contentHash), GUARD_IS_OURS_OR_ABSENT, {
              ":id": { S: memory.id },
            }),
            this.put(guardItem(next.contentHash, memory.id), ITEM_IS_ABSENT),
          ],
        }),
      ),
    );
  }

  private async read(id: string): Promise<StoredMemory | undefined> {
    // Anything but a ULID cannot name a memory; refusing it early also keeps oversized keys away from DynamoDB.
    if (!isUlid(id)) return undefined;
    const item = await this.getItem(memoryKey(id));
    return item === undefined ? undefined : readMemoryItem(item);
  }

  private async readByContentHash(contentHash: string): Promise<StoredMemory | undefined> {
    const guard = await this.getItem(guardKey(contentHash));
    return guard === undefined ? undefined : this.read(readString(guard, "memoryId"));
  }

  private async getItem(key: Item): Promise<Item | undefined> {
    const output = await mapped(
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
    );
    return output.Item;
  }

  /** Memories newest first. Consistent reads, so a list or search right after a write sees it. */
  private queryMemories(page: {
    startKey: Item | undefined;
    pageSize?: number;
    tags: readonly string[];
    /** Only these attributes (a ProjectionExpression of #placeholders); all of them by default. */
    projection?: string;
  }): Promise<QueryCommandOutput> {
    const values: Item = { ":partition": { S: MEMORY_PARTITION }, ":memoryPrefix": { S: MEMORY_SK_PREFIX } };
    // Every tag must be present: contains() on a list tests membership.
    const tagConditions = page.tags.map((tag, index) => {
      values[`:tag${index}`] = { S: tag };
      return `contains(#tags, :tag${index})`;
    });
    const filter = tagConditions.length === 0 ? undefined : tagConditions.join(" AND ");
    return mapped(
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: IN_MEMORY_PARTITION,
          ...(filter === undefined ? {} : { FilterExpression: filter }),
          ...(page.projection === undefined ? {} : { ProjectionExpression: page.projection }),
          ExpressionAttributeNames: attributeNames(IN_MEMORY_PARTITION, filter ?? "", page.projection ?? ""),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          ConsistentRead: true,
          ...(page.startKey === undefined ? {} : { ExclusiveStartKey: page.startKey }),
          ...(page.pageSize === undefined ? {} : { Limit: page.pageSize }),
        }),
      ),
    );
  }

  private put(item: Item, condition: string): TransactWriteItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ConditionExpression: condition,
        ExpressionAttributeNames: attributeNames(condition),
      },
    };
  }

  private deleteIf(key: Item, condition: string, values: Item): TransactWriteItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: key,
        ConditionExpression: condition,
        ExpressionAttributeNames: attributeNames(condition),
        ExpressionAttributeValues: values,
      },
    };
  }
}

/** Awaits a command, turning throttling and outages into StoreErrors; everything else is rethrown as is. */
async function mapped<Output>(pending: Promise<Output>): Promise<Output> {
  try {
    return await pending;
  } catch (error) {
    throw toServiceStoreError(error) ?? error;
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

/** Unicode NFC, every whitespace run (Unicode-aware \s) as one space, trimmed: the dedupe key's input. */
function normaliseContent(content: string): string {
  return content.normalize("NFC").replace(/\s+/gu, " ").trim();
}

function hashContent(content: string): string {
  return createHash("sha256").update(normaliseContent(content), "utf8").digest("hex");
}

function termsOf(content: string, tags: readonly string[]): string {
  return analyze(`${content}\n${tags.join(" ")}`).join(" ");
}

function splitTerms(terms: string): string[] {
  return terms === "" ? [] : terms.split(" ");
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function memorySk(id: string): string {
  return MEMORY_SK_PREFIX + id;
}

function keyOf(sk: string): Item {
  return { [table.partitionKey.name]: { S: MEMORY_PARTITION }, [table.sortKey.name]: { S: sk } };
}

function memoryKey(id: string): Item {
  return keyOf(memorySk(id));
}

function guardKey(contentHash: string): Item {
  return keyOf(GUARD_SK_PREFIX + contentHash);
}

function guardItem(contentHash: string, memoryId: string): Item {
  return { ...guardKey(contentHash), memoryId: { S: memoryId } };
}

function memoryItem({ memory, terms, contentHash }: StoredMemory): Item {
  return {
    ...memoryKey(memory.id),
    id: { S: memory.id },
    content: { S: memory.content },
    tags: tagsValue(memory.tags),
    createdAt: { S: memory.createdAt },
    updatedAt: { S: memory.updatedAt },
    version: versionValue(memory.version),
    terms: { S: terms },
    contentHash: { S: contentHash },
  };
}

function tagsValue(tags: readonly string[]): AttributeValue {
  return { L: tags.map((tag) => ({ S: tag })) };
}

function versionValue(version: number): AttributeValue {
  return { N: String(version) };
}

function readMemoryItem(item: Item): StoredMemory {
  return {
    memory: readMemory(item),
    terms: readString(item, "terms"),
    contentHash: readString(item, "contentHash"),
  };
}

/** A memory item read through SEARCH_PROJECTION. */
function readIndexedMemory(item: Item): IndexedMemory {
  const memory: IndexedMemory = readMemory(item) as IndexedMemory; // terms is set on the next line
  memory.terms = splitTerms(readString(item, "terms"));
  return memory;
}

function readMemory(item: Item): Memory {
  const tags = item.tags?.L;
  if (tags === undefined) throw malformed(item, "tags");
  return {
    id: readString(item, "id"),
    content: readString(item, "content"),
    tags: tags.map((tag) => {
      if (tag.S === undefined) throw malformed(item, "tags");
      return tag.S;
    }),
    createdAt: readString(item, "createdAt"),
    updatedAt: readString(item, "updatedAt"),
    version: readVersion(item),
  };
}

function readVersion(item: Item): number {
  const version = Number(item.version?.N);
  if (!Number.isSafeInteger(version) || version < 1) throw malformed(item, "version");
  return version;
}

function readString(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw malformed(item, name);
  return value;
}

/** A programming or data error, not a StoreError: it must surface as an internal error. */
function malformed(item: Item, attribute: string): Error {
  return new Error(
    `malformed item ${item[table.sortKey.name]?.S ?? "?"}: attribute ${attribute} missing or mistyped`,
  );
}

function attributeNames(...expressions: string[]): Record<string, string> {
  return expressionAttributeNames(ATTRIBUTE_NAMES, expressions);
}

function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? "None");
}

function isTransactionConflict(error: unknown): boolean {
  return (
    error instanceof TransactionConflictException ||
    cancellationCodes(error)?.includes(TRANSACTION_CONFLICT) === true
  );
}

/** Full jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): racers spread out. */
async function backoff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
  const wait = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  try {
    await delay(wait, undefined, { signal });
  } catch (error) {
    throw toServiceStoreError(error) ?? error; // the deadline passed while waiting: "unavailable"
  }
}

function notFound(id: string): StoreError {
  return new StoreError("not_found", `No memory has id ${id}.`);
}

function tooManyConflicts(subject: string): StoreError {
  return new StoreError(
    "version_conflict",
    `${subject} kept changing while we wrote it (concurrent updates); get it again and retry.`,
  );
}
