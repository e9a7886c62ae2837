// A search over the inverted index (./search-index.ts): reads the index state, then every bucket of the query's
// terms and the required tags in one BatchGetItem (or takes them from the container's cache while the index's
// version is unchanged), ranks with BM25 (src/search/rank.ts), then fetches only the hits. Pending memories
// are scored from their own items; the hits' content is read fresh, so a search never shows a deleted memory
// or stale content.
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type KeysAndAttributes,
} from "@aws-sdk/client-dynamodb";
import { type ScoredMemory, type SearchResult, StoreError } from "../memory/memory-store.ts";
import { analyzeQuery } from "../search/analyze.ts";
import { type DocumentTerms, scoreDocuments, termFrequencies } from "../search/rank.ts";
import { backoff, mapped } from "./errors.ts";
import {
  attributeNames,
  type Item,
  MEMORY_PROJECTION,
  memoryKey,
  readMemory,
  readString,
  SEARCH_PROJECTION,
  splitTerms,
} from "./items.ts";
import type { IndexEntry, PartitionCache } from "./postings-cache.ts";
import {
  bucketKeys,
  type IndexContext,
  type IndexState,
  partitionOfBucket,
  postingPartition,
  readBucket,
  tagPartition,
} from "./search-index.ts";

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;
/** Rounds of UnprocessedKeys before a search gives up as "unavailable" (each after a backoff). */
const BATCH_GET_ROUNDS = 8;

export async function searchIndex(
  context: IndexContext,
  state: IndexState,
  query: string,
  options: {
    tags: readonly string[];
    limit: number;
    signal: AbortSignal | undefined;
    /** The container's partitions read at earlier searches (./postings-cache.ts). */
    cache: PartitionCache;
  },
): Promise<SearchResult> {
  const weights = analyzeQuery(query);
  const queryTerms = [...weights.keys()];
  const pending = new Set(state.pendingIds);
  const partitions = await readPartitions(
    context,
    state.version,
    [...queryTerms.map(postingPartition), ...options.tags.map(tagPartition)],
    options,
  );
  const postings = queryTerms.map((term) => partitions.get(postingPartition(term)) ?? []);
  const members = options.tags.map((tag) => partitions.get(tagPartition(tag)) ?? []);
  const pendingItems = await batchGetMemories(context, state.pendingIds, options.signal);

  // The collection: every memory, or those carrying every required tag (pending ones judged by their items).
  let allowed: Map<string, number> | undefined;
  for (const partition of members) {
    const next = new Map<string, number>();
    for (const { id, dl } of partition) {
      if (!pending.has(id) && (allowed === undefined || allowed.has(id))) next.set(id, dl);
    }
    allowed = next;
  }
  const pendingDocs = [...pendingItems.values()].filter((item) =>
    options.tags.every((tag) => readMemory(item).tags.includes(tag)),
  );
  let documentCount = state.documentCount;
  let totalLength = state.totalLength;
  if (allowed !== undefined) {
    documentCount = allowed.size + pendingDocs.length;
    totalLength = [...allowed.values()].reduce((sum, dl) => sum + dl, 0);
    for (const item of pendingDocs) totalLength += splitTerms(readString(item, "terms")).length;
  }
  if (queryTerms.length === 0 || options.limit < 1) return { hits: [], searched: documentCount };

  const docs = new Map<string, DocumentTerms & { frequencies: number[] }>();
  const docOf = (id: string, length: number): DocumentTerms & { frequencies: number[] } => {
    let doc = docs.get(id);
    if (doc === undefined) {
      doc = { id, length, frequencies: new Array<number>(queryTerms.length).fill(0) };
      docs.set(id, doc);
    }
    return doc;
  };
  postings.forEach((partition, index) => {
    for (const { id, tf, dl } of partition) {
      if (pending.has(id) || (allowed !== undefined && !allowed.has(id))) continue;
      docOf(id, dl).frequencies[index] = tf;
    }
  });
  for (const item of pendingDocs) {
    const terms = splitTerms(readString(item, "terms"));
    const frequencies = termFrequencies(terms);
    if (!queryTerms.some((term) => frequencies.has(term))) continue;
    const doc = docOf(readString(item, "id"), terms.length);
    queryTerms.forEach((term, index) => {
      doc.frequencies[index] = frequencies.get(term) ?? 0;
    });
  }
  const documentFrequency = queryTerms.map(
    (_, index) => [...docs.values()].filter((doc) => (doc.frequencies[index] ?? 0) > 0).length,
  );
  const ranked = scoreDocuments(
    queryTerms.map((term) => weights.get(term) ?? 0),
    [...docs.values()],
    { documentCount, totalLength, documentFrequency },
  ).slice(0, Math.floor(options.limit));

  // The hits without their terms, which only scoring needs: about half of each item's bytes.
  const fetched = await batchGetMemories(
    context,
    ranked.map((hit) => hit.id),
    options.signal,
    MEMORY_PROJECTION,
  );
  const hits: ScoredMemory[] = [];
  for (const { id, score } of ranked) {
    const item = fetched.get(id);
    // Deleted between the index read and now: a search never returns a deleted memory.
    if (item !== undefined) hits.push({ memory: readMemory(item), score });
  }
  return { hits, searched: documentCount };
}

/**
 * The entries of each partition: the cache's where it holds them at `version`, the rest read in one
 * BatchGetItem of all their buckets (more only past 100 keys) and kept for the next search.
 */
async function readPartitions(
  context: IndexContext,
  version: string | undefined,
  partitions: readonly string[],
  options: { cache: PartitionCache; signal: AbortSignal | undefined },
): Promise<Map<string, readonly IndexEntry[]>> {
  const found = new Map<string, readonly IndexEntry[]>();
  const read = new Map<string, IndexEntry[]>();
  for (const partition of partitions) {
    const held = options.cache.get(version, partition);
    if (held !== undefined) found.set(partition, held);
    else read.set(partition, []);
  }
  if (read.size === 0) return found;
  const items = await batchGet(context, [...read.keys()].flatMap(bucketKeys), options.signal);
  for (const item of items) {
    const entries = read.get(partitionOfBucket(item));
    if (entries !== undefined) readBucket(item, entries);
  }
  for (const [partition, entries] of read) {
    options.cache.keep(version, partition, entries);
    found.set(partition, entries);
  }
  return found;
}

/** The memory items of `ids` that exist, by id. */
async function batchGetMemories(
  context: IndexContext,
  ids: readonly string[],
  signal: AbortSignal | undefined,
  projection = SEARCH_PROJECTION,
): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  for (const item of await batchGet(context, ids.map(memoryKey), signal, projection)) {
    found.set(readString(item, "id"), item);
  }
  return found;
}

/** The items of `keys` that exist: consistent BatchGetItem, 100 keys at a time, following UnprocessedKeys. */
async function batchGet(
  context: IndexContext,
  keys: readonly Item[],
  signal: AbortSignal | undefined,
  projection?: string,
): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
    let request: KeysAndAttributes | undefined = {
      Keys: keys.slice(start, start + BATCH_GET_KEYS),
      ConsistentRead: true,
      ...(projection === undefined
        ? {}
        : { ProjectionExpression: projection, ExpressionAttributeNames: attributeNames(projection) }),
    };
    for (let round = 1; request !== undefined; round++) {
      const output: BatchGetItemCommandOutput = await mapped(
        context.client.send(new BatchGetItemCommand({ RequestItems: { [context.tableName]: request } })),
      );
      for (const item of output.Responses?.[context.tableName] ?? []) found.push(item);
      request = output.UnprocessedKeys?.[context.tableName];
      if (request !== undefined && (request.Keys?.length ?? 0) === 0) request = undefined;
      if (request !== undefined) {
        if (round >= BATCH_GET_ROUNDS) {
          throw new StoreError(
            "throttled",
            "The memory database is throttling requests right now; retry in a few seconds.",
          );
        }
        await backoff(round, signal);
      }
    }
  }
  return found;
}
