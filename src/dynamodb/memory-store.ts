// The DynamoDB implementation of MemoryStore: writes (each one transaction with its index entries), reads,
// search. Item layout: ./items.ts; the index: ./search-index.ts; commands sent and IAM: ./commands.ts; each
// access pattern and the items and commands it uses: docs/storage.md.
// Guard item: memoryId. The guard makes "identical content is stored once" hold under races: two creates
// of the same content both try to put the same guard and exactly one transaction wins.
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
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
  type RestoreResult,
  type SearchOptions,
  type SearchResult,
  StoreError,
  type UpdateResult,
} from "../memory/memory-store.ts";
import { createUlidGenerator, isUlid } from "../memory/ulid.ts";
import { createCursorCodec } from "./cursor.ts";
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
import {
  attributeNames,
  deleteIf,
  GUARD_IS_OURS_OR_ABSENT,
  guardItem,
  guardKey,
  hashContent,
  INDEX_FORMAT,
  ITEM_IS_ABSENT,
  MAX_TRANSACTION_ACTIONS,
  memoryItem,
  memoryKey,
  numberValue,
  put,
  readIndexedMemory,
  readStoredMemory,
  readString,
  type StoredMemory,
  splitTerms,
  tagsValue,
  termsOf,
  VERSION_IS_AS_READ,
} from "./items.ts";
import { changedMemory, indexedBefore } from "./memory-changes.ts";
import { allMemoryItems, countMemories, listMemories } from "./memory-list.ts";
import { PartitionCache } from "./postings-cache.ts";
import { type ReindexReport, reindexTable } from "./reindex.ts";
import { SCAN_AT_MOST, search } from "./search.ts";
import { getItem, indexChange, settle } from "./search-index.ts";

export { createDynamoDbClient, ensureTable, SDK_LOGGER_MIDDLEWARE } from "./client.ts";
export {
  DYNAMODB_COMMANDS_USED,
  DYNAMODB_IAM_ACTIONS,
  DYNAMODB_SETUP_COMMANDS,
  DYNAMODB_STORE_SOURCES,
} from "./commands.ts";
export { MAX_WRITE_ATTEMPTS, toServiceStoreError } from "./errors.ts";

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
  /**
   * A store of at most this many memories, with at most SCAN_TERMS_PER_MEMORY terms each on average, is
   * searched by reading them all (one request, ranked here) instead of through the index, whose postings
   * take a request per query term: fewer requests up to about 250 short memories (docs/storage-index.md,
   * "Small stores"). 0 always uses the index.
   */
  scanAtMost?: number;
}

export { SCAN_AT_MOST, SCAN_TERMS_PER_MEMORY } from "./search.ts";

export function createDynamoDbStore(options: DynamoDbStoreOptions): MemoryStore {
  return new DynamoDbMemoryStore(options);
}

/** Migrates a table written before the search index existed (`make reindex`); see ./reindex.ts. */
export function reindexDynamoDbTable(
  options: Pick<DynamoDbStoreOptions, "client" | "tableName">,
): Promise<ReindexReport> {
  return reindexTable({ client: options.client, tableName: options.tableName });
}

const SET_MUTABLE_ATTRIBUTES =
  "SET #content = :content, #tags = :tags, #terms = :terms, #contentHash = :contentHash, " +
  "#updatedAt = :updatedAt, #version = :nextVersion, #indexed = :indexFormat";

class DynamoDbMemoryStore implements MemoryStore {
  /** The client, with every command carrying this store's abort signal when it has one. */
  private readonly client: Pick<DynamoDBClient, "send">;
  private readonly tableName: string;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly cursors: ReturnType<typeof createCursorCodec>;
  private readonly signal: AbortSignal | undefined;

  constructor(
    private readonly options: DynamoDbStoreOptions,
    /** Shared by the views of one store (withDeadline): one per container. */
    private readonly cache = new PartitionCache(),
    cursors?: ReturnType<typeof createCursorCodec>,
  ) {
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
    this.cursors = cursors ?? createCursorCodec(options.cursorSecret);
  }

  private get context(): { client: Pick<DynamoDBClient, "send">; tableName: string } {
    return { client: this.client, tableName: this.tableName };
  }

  withDeadline(signal: AbortSignal): MemoryStore {
    // The id generator, the cache and the cursor codec (its keys) are shared: ids stay monotonic across the
    // views of one store, and a request does not derive the keys again.
    return new DynamoDbMemoryStore({ ...this.options, newId: this.newId, signal }, this.cache, this.cursors);
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
      try {
        await this.insert(memory, terms, contentHash);
        return { memory, duplicate: false };
      } catch (error) {
        const [guard, item] = cancellationCodes(error) ?? [];
        if (guard === CONDITION_FAILED) {
          const existing = await this.readByContentHash(contentHash);
          // Our own write, whose answer was lost and whose SDK retry met its guard: stored once, by this call.
          if (existing?.memory.id === memory.id) return { memory: existing.memory, duplicate: false };
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

  /**
   * create's transaction (insert: guard, item and index entries) with the memory's own id, timestamps and
   * version. A failed item condition means the id is taken; a failed guard alone, that another memory holds
   * this content. Either way nothing is written and the stored memory comes back.
   */
  async restore(memory: Memory): Promise<RestoreResult> {
    if (!isUlid(memory.id)) throw new RangeError(`restore needs a ULID id, got ${JSON.stringify(memory.id)}`);
    const tags = normaliseTags(memory.tags);
    const restored: Memory = { ...memory, tags };
    const contentHash = hashContent(memory.content);
    const terms = termsOf(memory.content, tags);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.insert(restored, terms, contentHash);
        return { memory: restored, written: true };
      } catch (error) {
        const [guard, item] = cancellationCodes(error) ?? [];
        if (item === CONDITION_FAILED || guard === CONDITION_FAILED) {
          const existing =
            item === CONDITION_FAILED
              ? await this.read(memory.id)
              : await this.readByContentHash(contentHash);
          if (existing !== undefined) return { memory: existing.memory, written: false };
          // The holder was deleted between our write and our read: the next attempt can win.
        } else if (!isTransactionConflict(error)) {
          throw error;
        }
        if (attempt >= MAX_WRITE_ATTEMPTS) throw tooManyConflicts(`Memory ${memory.id}`);
        await backoff(attempt, this.signal);
      }
    }
  }

  count(): Promise<number> {
    return countMemories(this.context);
  }

  /**
   * Writes a new memory, its guard and its index entries in one transaction (both items only if absent;
   * cancellation reasons in that order), then settles it if it was too long to index in that transaction.
   * Every write of a new memory goes through here, whatever sets its id and timestamps.
   */
  private async insert(memory: Memory, terms: string, contentHash: string): Promise<void> {
    const index = indexChange(
      this.tableName,
      memory.id,
      { contribution: undefined, pending: false },
      { id: memory.id, terms: splitTerms(terms), tags: memory.tags },
      MAX_TRANSACTION_ACTIONS - 2,
    );
    const stored: StoredMemory = { memory, terms, contentHash, indexed: true, pending: index.pending };
    await this.transact([
      put(this.tableName, guardItem(contentHash, memory.id), ITEM_IS_ABSENT),
      put(this.tableName, memoryItem(stored), ITEM_IS_ABSENT),
      ...index.actions,
    ]);
    if (index.pending) await this.settleQuietly(memory.id);
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
      const next = changedMemory(this.now, current, changes);
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

  list(options: ListOptions): Promise<ListPage> {
    return listMemories(this.context, this.cursors, options);
  }

  search(query: string, options: SearchOptions): Promise<SearchResult> {
    return search(this.context, query, {
      tags: normaliseTags(options.tags ?? []),
      limit: options.limit,
      signal: this.signal,
      cache: this.cache,
      scanAtMost: this.options.scanAtMost ?? SCAN_AT_MOST,
    });
  }

  async all(): Promise<IndexedMemory[]> {
    return (await allMemoryItems(this.context)).map(readIndexedMemory);
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
    // REMOVE: a memory left pending in an older format's index carries the flag still.
    const expression = SET_MUTABLE_ATTRIBUTES + (index.pending ? ", #pending = :one" : " REMOVE #pending");
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
        ":indexFormat": numberValue(INDEX_FORMAT),
        ...(index.pending ? { ":one": numberValue(1) } : {}),
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
}
