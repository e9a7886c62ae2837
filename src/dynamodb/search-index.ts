// The inverted index that lets a search read only its query terms' postings (docs/storage-index.md):
// its items, the actions that keep it in step with a memory inside the memory's own transaction, and the
// settle step for memories whose index change does not fit in one transaction.
//
// | Item                     | pk           | sk        | Attributes                                       |
// | ------------------------ | ------------ | --------- | ------------------------------------------------ |
// | Postings of a term       | T2#<term>#<00-15> | E    | one per memory of the bucket: <id> = "<tf> <dl>" |
// | Members of a tag         | G2#<tag>#<00-15>  | E    | one per memory of the bucket: <id> = dl (N)      |
// | Corpus statistics shard  | IDX2         | S#<00-15> | docs, length, writes (ADDed by every write)      |
// | Pending memory           | IDX2         | P#<id>    | token, staleTerms (SS), staleTags (SS)           |
// | Index built              | IDX2         | META      | (present once every memory is indexed)           |
//
// A memory's postings go to one of a term's 16 buckets, by its id's last character, as attributes named by
// its id: a write sets or removes one attribute per term without reading, and a search fetches every bucket
// of all its terms in one BatchGetItem. Each bucket is a partition of its own, so no single partition key serves a
// search more than one item (BatchGetItem stops at 1 MB per partition). This is format 2 (INDEX_FORMAT);
// format 1's items (T#, G#, IDX) are no longer read.
import { randomUUID } from "node:crypto";
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { termFrequencies } from "../search/rank.ts";
import { CONDITION_FAILED, cancellationCodes, isTransactionConflict, mapped } from "./errors.ts";
import {
  attributeNames,
  deleteIf,
  IN_PARTITION,
  ITEM_IS_ABSENT,
  type Item,
  keyOf,
  MAX_TRANSACTION_ACTIONS,
  memoryKey,
  numberValue,
  readNumber,
  readStoredMemory,
  readString,
  splitTerms,
  update,
  VERSION_IS_AS_READ,
} from "./items.ts";
import type { IndexEntry } from "./postings-cache.ts";
import table from "./table.json" with { type: "json" };

export const INDEX_PARTITION = "IDX2";
const STATS_SK_PREFIX = "S#";
const PENDING_SK_PREFIX = "P#";
const META_SK = "META";
/** A term's postings and a tag's members are spread over this many items (by memory id). */
export const BUCKETS = 16;
/** Statistics are ADDed to one of these shards (by memory id), so concurrent writes rarely touch one item. */
const STATS_SHARDS = 16;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export interface IndexContext {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
}

/** What one memory contributes to the index. */
export interface Contribution {
  id: string;
  terms: readonly string[];
  tags: readonly string[];
}

/** A memory's index state before a write: its contribution if counted, and whether it is pending. */
export interface IndexedBefore {
  contribution: Contribution | undefined;
  pending: boolean;
}

/** The index part of one memory write: actions for its transaction, and whether the memory becomes pending. */
export interface IndexChange {
  actions: TransactWriteItem[];
  pending: boolean;
}

export function postingPartition(term: string): string {
  return `T2#${term}`;
}

export function tagPartition(tag: string): string {
  return `G2#${tag}`;
}

/** The sort key of every bucket item. */
const BUCKET_SK = "E";

/** The number (00 to 15) of the bucket that holds memory `id`'s entry (see spreadOf). */
export function bucketOf(id: string): string {
  return twoDigits(spreadOf(id, BUCKETS));
}

/**
 * Where memory `id` goes among `count` (a divisor of 32) items: by the last character of the ULID, one of 32
 * random symbols, so ids spread evenly. Statistics shards and index buckets both spread this way.
 */
function spreadOf(id: string, count: number): number {
  return Math.max(CROCKFORD.indexOf(id.at(-1) ?? "0"), 0) % count;
}

function twoDigits(n: number): string {
  return String(n).padStart(2, "0");
}

/** The key of bucket `bucket` of a term's or tag's partition (postingPartition, tagPartition). */
export function bucketKey(partition: string, bucket: string): Item {
  return keyOf(`${partition}#${bucket}`, BUCKET_SK);
}

/** The keys of every bucket of a partition: what a search reads of a term or a tag. */
export function bucketKeys(partition: string): Item[] {
  return Array.from({ length: BUCKETS }, (_, bucket) => bucketKey(partition, twoDigits(bucket)));
}

/** The partition a bucket item belongs to: its partition key without the "#<00-15>" at its end. */
export function partitionOfBucket(item: Item): string {
  return readString(item, table.partitionKey.name).slice(0, -3);
}

/** Appends the entries a bucket item holds to `into`. */
export function readBucket(item: Item, into: IndexEntry[]): void {
  for (const name in item) {
    if (name === table.partitionKey.name || name === table.sortKey.name) continue;
    const value = item[name] as AttributeValue; // a key of item
    // A posting holds "<tf> <dl>" (S), a tag member its dl (N).
    let tf = 0;
    let dl: number;
    if (value.S === undefined) dl = Number(value.N);
    else {
      const space = value.S.indexOf(" ");
      tf = Number(value.S.slice(0, space));
      dl = Number(value.S.slice(space + 1));
    }
    if (!(Number.isSafeInteger(tf) && Number.isSafeInteger(dl))) {
      throw new Error(`malformed index entry ${name} in ${item[table.partitionKey.name]?.S ?? "?"}`);
    }
    into.push({ id: name, tf, dl });
  }
}

export function pendingSk(id: string): string {
  return PENDING_SK_PREFIX + id;
}

export function statsShard(id: string): string {
  return STATS_SK_PREFIX + twoDigits(spreadOf(id, STATS_SHARDS));
}

export const META_KEY = keyOf(INDEX_PARTITION, META_SK);

/**
 * The actions that move the index of one memory from `before` to `after` (absent: no contribution), using
 * at most `room` actions. When they do not fit, or the memory is pending already, the change is recorded
 * instead as a pending marker (stale terms to clean up) and the memory is scored from its own item until
 * settle() rewrites its postings: a search never depends on postings that are not all written.
 */
export function indexChange(
  tableName: string,
  id: string,
  before: IndexedBefore,
  after: Contribution | undefined,
  room: number,
): IndexChange {
  const old = before.contribution;
  const stats = statsAction(
    tableName,
    id,
    (after === undefined ? 0 : 1) - (old === undefined ? 0 : 1),
    (after?.terms.length ?? 0) - (old?.terms.length ?? 0),
  );
  if (!before.pending) {
    const entries = entryActions(tableName, id, old, after);
    // Nothing to count and no entry to change (a memory without terms or tags still counts as a document).
    if (entries.length === 0 && (old === undefined) === (after === undefined)) {
      return { actions: [], pending: false };
    }
    if (entries.length + 1 <= room) return { actions: [stats, ...entries], pending: false };
  }
  return { actions: [stats, markerAction(tableName, id, old)], pending: true };
}

/**
 * Adds what a write changes to the corpus statistics (documents, total length), and 1 to `writes`: together
 * they are the index's version (IndexState.version), which moves with every change to a posting or a tag entry.
 */
function statsAction(tableName: string, id: string, docs = 0, length = 0): TransactWriteItem {
  return update(tableName, keyOf(INDEX_PARTITION, statsShard(id)), STATS_UPDATE, {
    ":docs": numberValue(docs),
    ":length": numberValue(length),
    ":writes": numberValue(1),
  });
}

const STATS_UPDATE = "ADD #docs :docs, #length :length, #writes :writes";

function markerAction(tableName: string, id: string, old: Contribution | undefined): TransactWriteItem {
  const staleTerms = [...new Set(old?.terms ?? [])];
  const staleTags = [...(old?.tags ?? [])];
  const adds = [
    ...(staleTerms.length > 0 ? ["#staleTerms :staleTerms"] : []),
    ...(staleTags.length > 0 ? ["#staleTags :staleTags"] : []),
  ];
  const expression = `SET #token = :token${adds.length > 0 ? ` ADD ${adds.join(", ")}` : ""}`;
  return update(tableName, keyOf(INDEX_PARTITION, pendingSk(id)), expression, {
    ":token": { S: randomUUID() },
    ...(staleTerms.length > 0 ? { ":staleTerms": { SS: staleTerms } } : {}),
    ...(staleTags.length > 0 ? { ":staleTags": { SS: staleTags } } : {}),
  });
}

/** Puts for the postings and tags of `next` that differ from `old`, deletes for those `next` lacks. */
function entryActions(
  tableName: string,
  id: string,
  old: Contribution | undefined,
  next: Contribution | undefined,
  putAll = false,
): TransactWriteItem[] {
  const actions: TransactWriteItem[] = [];
  const oldFrequencies = termFrequencies(old?.terms ?? []);
  const newFrequencies = termFrequencies(next?.terms ?? []);
  const sameLength = !putAll && old !== undefined && old.terms.length === next?.terms.length;
  const dl = next?.terms.length ?? 0;
  for (const [term, tf] of newFrequencies) {
    if (sameLength && oldFrequencies.get(term) === tf) continue;
    actions.push(entryAction(tableName, postingPartition(term), id, { S: `${tf} ${dl}` }));
  }
  for (const term of oldFrequencies.keys()) {
    if (!newFrequencies.has(term))
      actions.push(entryAction(tableName, postingPartition(term), id, undefined));
  }
  const oldTags = new Set(old?.tags ?? []);
  const newTags = new Set(next?.tags ?? []);
  for (const tag of newTags) {
    if (sameLength && oldTags.has(tag)) continue;
    actions.push(entryAction(tableName, tagPartition(tag), id, numberValue(dl)));
  }
  for (const tag of oldTags) {
    if (!newTags.has(tag)) actions.push(entryAction(tableName, tagPartition(tag), id, undefined));
  }
  return actions;
}

/** Sets (or, with no value, removes) memory `id`'s entry in its bucket of `partition`. */
function entryAction(
  tableName: string,
  partition: string,
  id: string,
  value: AttributeValue | undefined,
): TransactWriteItem {
  return {
    Update: {
      TableName: tableName,
      Key: bucketKey(partition, bucketOf(id)),
      UpdateExpression: value === undefined ? "REMOVE #entry" : "SET #entry = :entry",
      ExpressionAttributeNames: { "#entry": id },
      ...(value === undefined ? {} : { ExpressionAttributeValues: { ":entry": value } }),
    },
  };
}

/**
 * Rewrites the index entries of a pending memory and clears its marker: deletes the postings and tags of
 * every stale term and tag it no longer has, puts its current ones, in transactions of up to 100 actions
 * that each also check that the memory is still at the version read (or still deleted). Returns false when
 * the memory or marker changed meanwhile: the write that changed them settles it. Safe to run any number
 * of times, concurrently, or to stop half way: until the marker goes, search ignores these postings.
 */
export async function settle(context: IndexContext, id: string): Promise<boolean> {
  const { client, tableName } = context;
  const marker = await getItem(context, keyOf(INDEX_PARTITION, pendingSk(id)));
  if (marker === undefined) return true;
  const item = await getItem(context, memoryKey(id));
  const stored = item === undefined ? undefined : readStoredMemory(item);
  const current: Contribution | undefined =
    stored === undefined ? undefined : { id, terms: splitTerms(stored.terms), tags: stored.memory.tags };
  const stale: Contribution = {
    id,
    terms: [...(marker.staleTerms?.SS ?? [])],
    tags: [...(marker.staleTags?.SS ?? [])],
  };
  // Every current entry is put, even one a stale entry seems to match: it may never have landed.
  const all = entryActions(tableName, id, stale, current, true);
  const readVersion = stored === undefined ? undefined : numberValue(stored.memory.version);
  const memoryCheck = (last: boolean): TransactWriteItem =>
    readVersion === undefined
      ? deleteIf(tableName, memoryKey(id), ITEM_IS_ABSENT)
      : update(
          tableName,
          memoryKey(id),
          last ? "REMOVE #pending" : "SET #version = :readVersion",
          { ":readVersion": readVersion },
          VERSION_IS_AS_READ,
        );
  const markerDelete = deleteIf(tableName, keyOf(INDEX_PARTITION, pendingSk(id)), "#token = :token", {
    ":token": { S: readString(marker, "token") },
  });
  // The last transaction also moves the index's version (the counts stay: the write that left the memory
  // pending counted it): the settled entries become visible to search.
  const versionMove = statsAction(tableName, id);
  const chunk = MAX_TRANSACTION_ACTIONS - 3;
  for (let start = 0; ; start += chunk) {
    const last = start + chunk >= all.length;
    const actions = [
      memoryCheck(last),
      ...all.slice(start, start + chunk),
      ...(last ? [markerDelete, versionMove] : []),
    ];
    try {
      await mapped(client.send(new TransactWriteItemsCommand({ TransactItems: actions })));
    } catch (error) {
      if (isTransactionConflict(error) || cancellationCodes(error)?.includes(CONDITION_FAILED)) return false;
      throw error;
    }
    if (last) return true;
  }
}

export async function getItem(context: IndexContext, key: Item): Promise<Item | undefined> {
  const output = await mapped(
    context.client.send(new GetItemCommand({ TableName: context.tableName, Key: key, ConsistentRead: true })),
  );
  return output.Item;
}

/** Every item of one partition (consistent, page by page), with only `projection` when given. */
export async function queryPartition(
  context: IndexContext,
  partition: string,
  projection?: string,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await mapped(
      context.client.send(
        new QueryCommand({
          TableName: context.tableName,
          KeyConditionExpression: IN_PARTITION,
          ExpressionAttributeNames: attributeNames(IN_PARTITION, projection ?? ""),
          ExpressionAttributeValues: { ":partition": { S: partition } },
          ...(projection === undefined ? {} : { ProjectionExpression: projection }),
          ConsistentRead: true,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      ),
    );
    for (const item of page.Items ?? []) items.push(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/** The state of the index as one consistent read of its partition sees it. */
export interface IndexState {
  built: boolean;
  documentCount: number;
  totalLength: number;
  /**
   * Moves with every change to a posting or tag entry (the statistics and `writes` summed over the shards,
   * which only grow or move with a write), so entries read after seeing it stay valid while it stays the
   * same. Undefined for an index with no memories counted: nothing worth keeping.
   */
  version: string | undefined;
  /** Memory ids whose index entries are not all written: scored from their memory items. */
  pendingIds: string[];
}

export async function readIndexState(context: IndexContext): Promise<IndexState> {
  const state: IndexState = {
    built: false,
    documentCount: 0,
    totalLength: 0,
    version: undefined,
    pendingIds: [],
  };
  let writes = 0;
  // Projected: a pending marker's stale sets can be long, and nothing here reads them.
  for (const item of await queryPartition(context, INDEX_PARTITION, "#sk, #docs, #length, #writes")) {
    const sk = readString(item, table.sortKey.name);
    if (sk === META_SK) state.built = true;
    else if (sk.startsWith(PENDING_SK_PREFIX)) state.pendingIds.push(sk.slice(PENDING_SK_PREFIX.length));
    else if (sk.startsWith(STATS_SK_PREFIX)) {
      state.documentCount += readNumber(item, "docs");
      state.totalLength += readNumber(item, "length");
      // Absent on shards written only by the version before the cache (its docs and length still count).
      writes += item.writes === undefined ? 0 : readNumber(item, "writes");
    }
  }
  if (state.documentCount > 0) state.version = `${writes}/${state.documentCount}/${state.totalLength}`;
  return state;
}
