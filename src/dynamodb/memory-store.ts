// The DynamoDB implementation of MemoryStore, and the list of DynamoDB commands it sends (the IAM policy is
// checked against DYNAMODB_COMMANDS_USED). Item layout: ./items.ts; the search index: ./search-index.ts.
//
// | Pattern                         | Items                                      | Command                             |
// | ------------------------------- | ------------------------------------------ | ----------------------------------- |
// | Create a memory                 | MEM H#<sha256> (guard), MEM M#<ulid>,      | TransactWriteItems: Put guard, Put  |
// |                                 | its postings, tags and stats shard         | memory (attribute_not_exists), index |
// | Get a memory                    | MEM M#<id>                                 | GetItem (consistent)                |
// | Update                          | M#<id>, guards if the content moves, index | TransactWriteItems (version = read) |
// | Delete                          | M#<id>, its guard, its index entries       | TransactWriteItems                  |
// | List newest first, by tags      | begins_with(sk, "M#"), descending          | Query + FilterExpression            |
// | Search                          | IDX, T#<term> per query term, G#<tag>      | Query each; BatchGetItem the hits   |
//
// Guard item: memoryId. The guard makes "identical content is stored once" hold under races: two creates
// of the same content both try to put the same guard and exactly one transaction wins.
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
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
  type SearchOptions,
  type SearchResult,
  StoreError,
  type UpdateResult,
} from "../memory/memory-store.ts";
import { createUlidGenerator, isUlid } from "../memory/ulid.ts";
import { rankMemories } from "../search/rank.ts";
import { createCursorCodec, filterKey } from "./cursor.ts";
import {
  backoff,
  CONDITION_FAILED,
  cancellationCodes,
  isTransactionConflict,
  MAX_WRITE_ATTEMPTS,
  mapped,
  notFound,
  tooManyConflicts,
} from "./errors.ts";
import { searchIndex } from "./index-search.ts";
import {
  attributeNames,
  deleteIf,
  GUARD_IS_OURS_OR_ABSENT,
  guardItem,
  guardKey,
  hashContent,
  IN_MEMORY_PARTITION,
  ITEM_IS_ABSENT,
  type Item,
  keyOf,
  MAX_TRANSACTION_ACTIONS,
  MEMORY_PARTITION,
  MEMORY_SK_PREFIX,
  memoryItem,
  memoryKey,
  memorySk,
  numberValue,
  put,
  readMemory,
  readStoredMemory,
  readString,
  SEARCH_PROJECTION,
  type StoredMemory,
  splitTerms,
  tagsValue,
  termsOf,
  VERSION_IS_AS_READ,
} from "./items.ts";
import { indexUnindexed, markBuilt, type ReindexReport, reindexTable } from "./reindex.ts";
import {
  getItem,
  type IndexedBefore,
  indexChange,
  queryPartition,
  readIndexState,
  settle,
} from "./search-index.ts";
import table from "./table.json" with { type: "json" };

export { createDynamoDbClient, ensureTable, SDK_LOGGER_MIDDLEWARE } from "./client.ts";
export { MAX_WRITE_ATTEMPTS, toServiceStoreError } from "./errors.ts";

/** The commands the store sends at run time: what the Lambda's IAM policy must allow. */
export const DYNAMODB_COMMANDS_USED = [
  "BatchGetItem",
  "GetItem",
  "Query",
  "TransactWriteItems",
  "UpdateItem",
] as const;
/** The commands ensureTable sends: local server and tests only, never granted to the Lambda. */
export const DYNAMODB_SETUP_COMMANDS = ["CreateTable", "DescribeTable"] as const;
/**
 * The IAM actions behind DYNAMODB_COMMANDS_USED. TransactWriteItems has no IAM action of its own: each
 * Put / Update / Delete inside it is authorised as PutItem / UpdateItem / DeleteItem
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export const DYNAMODB_IAM_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
] as const;
/**
 * The files of src/dynamodb/ that send the commands above or build their transaction actions: what the
 * tests holding them to the IAM policy read.
 */
export const DYNAMODB_STORE_SOURCES = [
  "client.ts",
  "index-search.ts",
  "items.ts",
  "memory-store.ts",
  "reindex.ts",
  "search-index.ts",
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

export function createDynamoDbStore(options: DynamoDbStoreOptions): MemoryStore {
  return new DynamoDbMemoryStore(options);
}

/** Migrates a table written before the search index existed (`make reindex`); see ./reindex.ts. */
export function reindexDynamoDbTable(
  options: Pick<DynamoDbStoreOptions, "client" | "tableName">,
): Promise<ReindexReport> {
  const context = { client: options.client, tableName: options.tableName };
  return reindexTable(context, async () =>
    (await queryPartition(context, MEMORY_PARTITION, `${SEARCH_PROJECTION}, #sk`)).filter((item) =>
      readString(item, table.sortKey.name).startsWith(MEMORY_SK_PREFIX),
    ),
  );
}

/** Items list() may evaluate per call, so a selective tag filter cannot read an unbounded partition. */
const LIST_EVALUATION_BUDGET = 2_000;
/** Items evaluated per Query page when filtering by tags (without a filter a page is exactly what's needed). */
const FILTERED_PAGE_SIZE = 250;
/** Memories of an older version a search over a table not yet indexed indexes on its way (migration). */
const MIGRATE_PER_SEARCH = 25;

const SET_MUTABLE_ATTRIBUTES =
  "SET #content = :content, #tags = :tags, #terms = :terms, #contentHash = :contentHash, " +
  "#updatedAt = :updatedAt, #version = :nextVersion, #indexed = :one";

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

  private get context(): { client: Pick<DynamoDBClient, "send">; tableName: string } {
    return { client: this.client, tableName: this.tableName };
  }

  withDeadline(signal: AbortSignal): MemoryStore {
    // The id generator is shared, so ids stay monotonic across the views of one store.
    return new DynamoDbMemoryStore({ ...this.options, newId: this.newId, signal });
  }

  async create(content: string, tags: string[]): Promise<CreateResult> {
    const normalisedTags = normaliseTags(tags);
    const contentHash = hashContent(content);
    const terms = termsOf(content, normalisedTags);
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
      const index = indexChange(
        this.tableName,
        memory.id,
        { contribution: undefined, pending: false },
        { id: memory.id, terms: splitTerms(terms), tags: normalisedTags },
        MAX_TRANSACTION_ACTIONS - 2,
      );
      const stored: StoredMemory = { memory, terms, contentHash, indexed: true, pending: index.pending };
      try {
        await this.transact([
          put(this.tableName, guardItem(contentHash, memory.id), ITEM_IS_ABSENT),
          put(this.tableName, memoryItem(stored), ITEM_IS_ABSENT),
          ...index.actions,
        ]);
        if (index.pending) await this.settleQuietly(memory.id);
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
        if (next.pending) await this.settleQuietly(id);
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
      const index = indexChange(
        this.tableName,
        id,
        indexedBefore(current),
        undefined,
        MAX_TRANSACTION_ACTIONS - 2,
      );
      try {
        await this.transact([
          deleteIf(this.tableName, memoryKey(id), VERSION_IS_AS_READ, {
            ":readVersion": numberValue(current.memory.version),
          }),
          deleteIf(this.tableName, guardKey(current.contentHash), GUARD_IS_OURS_OR_ABSENT, {
            ":id": { S: id },
          }),
          ...index.actions,
        ]);
        if (index.pending) await this.settleQuietly(id);
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
      startKey = keyOf(MEMORY_PARTITION, position.sk);
    }

    const found: Memory[] = [];
    let evaluated = 0;
    for (;;) {
      const budget = LIST_EVALUATION_BUDGET - evaluated;
      const pageSize =
        tags.length === 0 ? Math.min(limit + 1 - found.length, budget) : Math.min(FILTERED_PAGE_SIZE, budget);
      const page = await this.queryMemories({ startKey, pageSize, tags });
      evaluated += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) found.push(readMemory(item));

      const lastReturned = found[limit - 1];
      if (found.length > limit && lastReturned !== undefined) {
        return {
          memories: found.slice(0, limit),
          nextCursor: this.cursors.encode(memorySk(lastReturned.id), filter),
        };
      }
      startKey = page.LastEvaluatedKey;
      if (startKey === undefined) return { memories: found };
      if (evaluated >= LIST_EVALUATION_BUDGET) {
        return {
          memories: found,
          nextCursor: this.cursors.encode(readString(startKey, table.sortKey.name), filter),
        };
      }
    }
  }

  async search(query: string, options: SearchOptions): Promise<SearchResult> {
    const tags = normaliseTags(options.tags ?? []);
    const state = await readIndexState(this.context);
    if (state.built) {
      return searchIndex(this.context, state, query, { tags, limit: options.limit, signal: this.signal });
    }
    // A table written by a version without the index: rank every memory as that version did, index a few
    // of them on the way, and mark the index built once none is left (an empty table: at the first search).
    const items = await this.allItems();
    const unindexed = items.filter((item) => item.indexed === undefined);
    if (unindexed.length === 0) await markBuilt(this.context);
    else await indexUnindexed(this.context, unindexed.slice(0, MIGRATE_PER_SEARCH));
    const docs = items
      .map(readIndexedMemory)
      .filter((memory) => tags.every((tag) => memory.tags.includes(tag)));
    const hits = rankMemories(query, docs, options.limit).map(({ memory, score }) => ({ memory, score }));
    return { hits, searched: docs.length };
  }

  async all(): Promise<IndexedMemory[]> {
    return (await this.allItems()).map(readIndexedMemory);
  }

  private async allItems(): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.queryMemories({ startKey, tags: [], projection: SEARCH_PROJECTION });
      for (const item of page.Items ?? []) items.push(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
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
      indexed: true,
      pending: false,
    };
  }

  /** Writes `next` over `current`; sets next.pending when its index entries are left to settle(). */
  private async writeUpdate(current: StoredMemory, next: StoredMemory): Promise<void> {
    const { memory } = next;
    const guardMoves = next.contentHash !== current.contentHash;
    const index = indexChange(
      this.tableName,
      memory.id,
      indexedBefore(current),
      { id: memory.id, terms: splitTerms(next.terms), tags: memory.tags },
      MAX_TRANSACTION_ACTIONS - (guardMoves ? 3 : 1),
    );
    next.pending = index.pending;
    const expression = SET_MUTABLE_ATTRIBUTES + (index.pending ? ", #pending = :one" : "");
    const update = {
      TableName: this.tableName,
      Key: memoryKey(memory.id),
      UpdateExpression: expression,
      ConditionExpression: VERSION_IS_AS_READ,
      ExpressionAttributeNames: attributeNames(expression, VERSION_IS_AS_READ),
      ExpressionAttributeValues: {
        ":content": { S: memory.content },
        ":tags": tagsValue(memory.tags),
        ":terms": { S: next.terms },
        ":contentHash": { S: next.contentHash },
        ":updatedAt": { S: memory.updatedAt },
        ":nextVersion": numberValue(memory.version),
        ":readVersion": numberValue(current.memory.version),
        ":one": numberValue(1),
      },
    };
    if (!guardMoves && index.actions.length === 0) {
      await mapped(this.client.send(new UpdateItemCommand(update)));
      return;
    }
    // Reasons are read by index in update(): memory, then (when the content moves) old and new guard.
    await this.transact([
      { Update: update },
      ...(guardMoves
        ? [
            deleteIf(this.tableName, guardKey(current.contentHash), GUARD_IS_OURS_OR_ABSENT, {
              ":id": { S: memory.id },
            }),
            put(this.tableName, guardItem(next.contentHash, memory.id), ITEM_IS_ABSENT),
          ]
        : []),
      ...index.actions,
    ]);
  }

  /** settle() after a write that left its memory pending; a failure leaves it pending, which search handles. */
  private async settleQuietly(id: string): Promise<void> {
    try {
      await settle(this.context, id);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
    }
  }

  private async transact(actions: TransactWriteItem[]): Promise<void> {
    await mapped(this.client.send(new TransactWriteItemsCommand({ TransactItems: actions })));
  }

  private async read(id: string): Promise<StoredMemory | undefined> {
    // Anything but a ULID cannot name a memory; refusing it early also keeps oversized keys away from DynamoDB.
    if (!isUlid(id)) return undefined;
    const item = await getItem(this.context, memoryKey(id));
    return item === undefined ? undefined : readStoredMemory(item);
  }

  private async readByContentHash(contentHash: string): Promise<StoredMemory | undefined> {
    const guard = await getItem(this.context, guardKey(contentHash));
    return guard === undefined ? undefined : this.read(readString(guard, "memoryId"));
  }

  /** Memories newest first. Consistent reads, so a list right after a write sees it. */
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
}

function indexedBefore(current: StoredMemory): IndexedBefore {
  return {
    contribution: current.indexed
      ? { id: current.memory.id, terms: splitTerms(current.terms), tags: current.memory.tags }
      : undefined,
    pending: current.pending,
  };
}

/** A memory item read through SEARCH_PROJECTION. */
function readIndexedMemory(item: Item): IndexedMemory {
  return { ...readMemory(item), terms: splitTerms(readString(item, "terms")) };
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
