// How memories and their guards are laid out as DynamoDB items: keys, attribute maps (written by hand, no
// lib-dynamodb), the named expression pieces every request is assembled from, and the reverse (item -> Memory).
import { createHash } from "node:crypto";
import type { AttributeValue, TransactWriteItem } from "@aws-sdk/client-dynamodb";
import type { IndexedMemory, Memory } from "../memory/memory-store.ts";
import { analyze } from "../search/analyze.ts";
import { expressionAttributeNames } from "./expressions.ts";
import table from "./table.json" with { type: "json" };

// Every key below is a string; a change of key type in table.json must fail here, not write mistyped keys.
if (table.partitionKey.type !== "S" || table.sortKey.type !== "S") {
  throw new Error("src/dynamodb/items.ts needs string (S) keys, but table.json declares other types");
}

export type Item = Record<string, AttributeValue>;

export const MEMORY_PARTITION = "MEM";
export const MEMORY_SK_PREFIX = "M#";
const GUARD_SK_PREFIX = "H#";

/**
 * The layout of the search index the memory's `indexed` attribute says it is counted in (docs/storage-index.md,
 * "Migration"). 1: a posting item per term and memory (replaced); 2: a term's postings in 16 bucket items.
 * A memory with any other value, or none, is indexed again by the migration (./reindex.ts).
 */
export const INDEX_FORMAT = 2;

/** DynamoDB's limit on the actions of one TransactWriteItems. */
export const MAX_TRANSACTION_ACTIONS = 100;

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
  "#indexed": "indexed",
  "#pending": "pending",
  "#docs": "docs",
  "#length": "length",
  "#writes": "writes",
  "#tf": "tf",
  "#dl": "dl",
  "#staleTerms": "staleTerms",
  "#staleTags": "staleTags",
  "#token": "token",
};
export const ITEM_IS_ABSENT = "attribute_not_exists(#pk)";
export const VERSION_IS_AS_READ = "#version = :readVersion";
/** A missing guard is tolerated so that one lost guard cannot wedge a memory's updates forever. */
export const GUARD_IS_OURS_OR_ABSENT = `${ITEM_IS_ABSENT} OR #memoryId = :id`;
export const IN_MEMORY_PARTITION = "#pk = :partition AND begins_with(#sk, :memoryPrefix)";
export const IN_PARTITION = "#pk = :partition";
/** A memory as a tool answers it, without what the store keeps beside it. */
export const MEMORY_PROJECTION = "#id, #content, #tags, #createdAt, #updatedAt, #version";
/** What search reads of each memory: the key attributes and the dedupe digest are left in the table. */
export const SEARCH_PROJECTION = `${MEMORY_PROJECTION}, #terms, #indexed`;

/** A memory as stored: the Memory plus what the store keeps beside it. */
export interface StoredMemory {
  memory: Memory;
  /** analyze() output joined by spaces. */
  terms: string;
  contentHash: string;
  /** Its postings, tags and length are counted in the search index of INDEX_FORMAT (not of an older one). */
  indexed: boolean;
  /** Its index entries are being rewritten: search scores it from this item (see ./search-index.ts). */
  pending: boolean;
}

export function attributeNames(...expressions: string[]): Record<string, string> {
  return expressionAttributeNames(ATTRIBUTE_NAMES, expressions);
}

export function keyOf(partition: string, sk: string): Item {
  return { [table.partitionKey.name]: { S: partition }, [table.sortKey.name]: { S: sk } };
}

export function memorySk(id: string): string {
  return MEMORY_SK_PREFIX + id;
}

export function memoryKey(id: string): Item {
  return keyOf(MEMORY_PARTITION, memorySk(id));
}

export function guardKey(contentHash: string): Item {
  return keyOf(MEMORY_PARTITION, GUARD_SK_PREFIX + contentHash);
}

export function guardItem(contentHash: string, memoryId: string): Item {
  return { ...guardKey(contentHash), memoryId: { S: memoryId } };
}

export function memoryItem({ memory, terms, contentHash, pending }: StoredMemory): Item {
  return {
    ...memoryKey(memory.id),
    id: { S: memory.id },
    content: { S: memory.content },
    tags: tagsValue(memory.tags),
    createdAt: { S: memory.createdAt },
    updatedAt: { S: memory.updatedAt },
    version: numberValue(memory.version),
    terms: { S: terms },
    contentHash: { S: contentHash },
    indexed: numberValue(INDEX_FORMAT),
    ...(pending ? { pending: numberValue(1) } : {}),
  };
}

export function tagsValue(tags: readonly string[]): AttributeValue {
  return { L: tags.map((tag) => ({ S: tag })) };
}

export function numberValue(value: number): AttributeValue {
  return { N: String(value) };
}

export function put(tableName: string, item: Item, condition?: string): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: item,
      ...(condition === undefined
        ? {}
        : { ConditionExpression: condition, ExpressionAttributeNames: attributeNames(condition) }),
    },
  };
}

export function deleteIf(tableName: string, key: Item, condition?: string, values?: Item): TransactWriteItem {
  return {
    Delete: {
      TableName: tableName,
      Key: key,
      ...(condition === undefined
        ? {}
        : { ConditionExpression: condition, ExpressionAttributeNames: attributeNames(condition) }),
      ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
    },
  };
}

export function update(
  tableName: string,
  key: Item,
  expression: string,
  values: Item,
  condition?: string,
): TransactWriteItem {
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: expression,
      ...(condition === undefined ? {} : { ConditionExpression: condition }),
      ExpressionAttributeNames: attributeNames(expression, condition ?? ""),
      ExpressionAttributeValues: values,
    },
  };
}

/** Unicode NFC, every whitespace run (Unicode-aware \s) as one space, trimmed: the dedupe key's input. */
function normaliseContent(content: string): string {
  return content.normalize("NFC").replace(/\s+/gu, " ").trim();
}

export function hashContent(content: string): string {
  return createHash("sha256").update(normaliseContent(content), "utf8").digest("hex");
}

export function termsOf(content: string, tags: readonly string[]): string {
  return analyze(`${content}\n${tags.join(" ")}`).join(" ");
}

export function splitTerms(terms: string): string[] {
  return terms === "" ? [] : terms.split(" ");
}

export function readStoredMemory(item: Item): StoredMemory {
  const indexed = isIndexed(item);
  return {
    memory: readMemory(item),
    terms: readString(item, "terms"),
    contentHash: readString(item, "contentHash"),
    indexed,
    // A memory pending in an older format's index is not counted in this one at all.
    pending: indexed && item.pending !== undefined,
  };
}

/** Counted in the index of INDEX_FORMAT: false for a memory of a version before it (./reindex.ts). */
export function isIndexed(item: Item): boolean {
  return item.indexed?.N === String(INDEX_FORMAT);
}

/** A memory item read through SEARCH_PROJECTION. */
export function readIndexedMemory(item: Item): IndexedMemory {
  return { ...readMemory(item), terms: splitTerms(readString(item, "terms")) };
}

export function readMemory(item: Item): Memory {
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
    version: readNumber(item, "version"),
  };
}

export function readNumber(item: Item, name: string): number {
  const value = Number(item[name]?.N);
  if (!Number.isSafeInteger(value) || (name === "version" && value < 1)) throw malformed(item, name);
  return value;
}

export function readString(item: Item, name: string): string {
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
