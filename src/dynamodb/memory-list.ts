// Reading memories newest first: list pages behind signed cursors, with tag filters, and the whole
// partition (all(), and a search that ranks every memory: a small store, or a table not yet indexed).
import { QueryCommand, type QueryCommandOutput } from "@aws-sdk/client-dynamodb";
import {
  type ListOptions,
  type ListPage,
  type Memory,
  normaliseTags,
  type SearchResult,
  StoreError,
} from "../memory/memory-store.ts";
import { rankMemories } from "../search/rank.ts";
import { type createCursorCodec, filterKey } from "./cursor.ts";
import { mapped } from "./errors.ts";
import {
  attributeNames,
  IN_MEMORY_PARTITION,
  type Item,
  keyOf,
  MEMORY_PARTITION,
  MEMORY_SK_PREFIX,
  memorySk,
  readIndexedMemory,
  readMemory,
  readString,
  SEARCH_PROJECTION,
} from "./items.ts";
import type { IndexContext } from "./search-index.ts";
import table from "./table.json" with { type: "json" };

type CursorCodec = ReturnType<typeof createCursorCodec>;

/** Items list() may evaluate per call, so a selective tag filter cannot read an unbounded partition. */
const LIST_EVALUATION_BUDGET = 2_000;
/** Items evaluated per Query page when filtering by tags (without a filter a page is exactly what's needed). */
const FILTERED_PAGE_SIZE = 250;

/**
 * Collects `limit` matches plus one more, so nextCursor appears only when another match really follows;
 * the cursor names the last memory returned. A call stops after evaluating LIST_EVALUATION_BUDGET items:
 * then it returns what it found (possibly fewer than `limit`, even none) with a cursor at the last item
 * evaluated, and the next call carries on from there. Only in that case can a cursor lead to an empty page.
 */
export async function listMemories(
  context: IndexContext,
  cursors: CursorCodec,
  options: ListOptions,
): Promise<ListPage> {
  const { limit } = options;
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`list limit must be a positive integer, got ${limit}`);
  const tags = normaliseTags(options.tags ?? []);
  const filter = filterKey(tags);
  let startKey: Item | undefined;
  if (options.cursor !== undefined) {
    const position = cursors.decode(options.cursor, filter);
    if (!position.ok) throw new StoreError("invalid_cursor", position.message);
    startKey = keyOf(MEMORY_PARTITION, position.sk);
  }

  const found: Memory[] = [];
  let evaluated = 0;
  for (;;) {
    const budget = LIST_EVALUATION_BUDGET - evaluated;
    const pageSize =
      tags.length === 0 ? Math.min(limit + 1 - found.length, budget) : Math.min(FILTERED_PAGE_SIZE, budget);
    const page = await queryMemories(context, { startKey, pageSize, tags });
    evaluated += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) found.push(readMemory(item));

    const lastReturned = found[limit - 1];
    if (found.length > limit && lastReturned !== undefined) {
      return {
        memories: found.slice(0, limit),
        nextCursor: cursors.encode(memorySk(lastReturned.id), filter),
      };
    }
    startKey = page.LastEvaluatedKey;
    if (startKey === undefined) return { memories: found };
    if (evaluated >= LIST_EVALUATION_BUDGET) {
      return {
        memories: found,
        nextCursor: cursors.encode(readString(startKey, table.sortKey.name), filter),
      };
    }
  }
}

/** Every memory item, newest first, through SEARCH_PROJECTION, page by page to the end. */
export async function allMemoryItems(context: IndexContext): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await queryMemories(context, { startKey, tags: [], projection: SEARCH_PROJECTION });
    for (const item of page.Items ?? []) items.push(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/**
 * BM25 over every memory carrying every tag in `tags`, read from `items` (allMemoryItems): what the index
 * answers too, with postings instead (test/dynamodb/search-index.test.ts holds the two equal).
 */
export function rankEveryMemory(
  items: readonly Item[],
  query: string,
  tags: readonly string[],
  limit: number,
): SearchResult {
  const docs = items
    .map(readIndexedMemory)
    .filter((memory) => tags.every((tag) => memory.tags.includes(tag)));
  const hits = rankMemories(query, docs, limit).map(({ memory, score }) => ({ memory, score }));
  return { hits, searched: docs.length };
}

/** How many memory items there are: a COUNT query over the memory prefix, page by page. */
export async function countMemories(context: IndexContext): Promise<number> {
  let total = 0;
  let startKey: Item | undefined;
  do {
    const page = await mapped(
      context.client.send(
        new QueryCommand({
          TableName: context.tableName,
          KeyConditionExpression: IN_MEMORY_PARTITION,
          ExpressionAttributeNames: attributeNames(IN_MEMORY_PARTITION),
          ExpressionAttributeValues: {
            ":partition": { S: MEMORY_PARTITION },
            ":memoryPrefix": { S: MEMORY_SK_PREFIX },
          },
          Select: "COUNT",
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      ),
    );
    total += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return total;
}

/** Memories newest first. Consistent reads, so a list right after a write sees it. */
export function queryMemories(
  context: IndexContext,
  page: {
    startKey: Item | undefined;
    pageSize?: number;
    tags: readonly string[];
    /** Only these attributes (a ProjectionExpression of #placeholders); all of them by default. */
    projection?: string;
  },
): Promise<QueryCommandOutput> {
  const values: Item = { ":partition": { S: MEMORY_PARTITION }, ":memoryPrefix": { S: MEMORY_SK_PREFIX } };
  // Every tag must be present: contains() on a list tests membership.
  const tagConditions = page.tags.map((tag, index) => {
    values[`:tag${index}`] = { S: tag };
    return `contains(#tags, :tag${index})`;
  });
  const filter = tagConditions.length === 0 ? undefined : tagConditions.join(" AND ");
  return mapped(
    context.client.send(
      new QueryCommand({
        TableName: context.tableName,
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
