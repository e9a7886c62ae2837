// Migration of tables written before the search index existed, or indexed in an older format (INDEX_FORMAT):
// indexes memories not counted in today's index (each in a transaction conditioned on the version read, so it
// never overwrites a newer write), settles pending memories, then marks the index built so searches use it.
// An older format's items are left where they are: nothing reads them (docs/storage-index.md, "Migration").
// Run by `make reindex`, and a little at a time by searches over a table not yet built (searchBeforeIndex).
import { TransactWriteItemsCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { SearchResult } from "../memory/memory-store.ts";
import { CONDITION_FAILED, cancellationCodes, isTransactionConflict, mapped } from "./errors.ts";
import {
  attributeNames,
  INDEX_FORMAT,
  type Item,
  isIndexed,
  MAX_TRANSACTION_ACTIONS,
  memoryKey,
  numberValue,
  readMemory,
  readNumber,
  readString,
  splitTerms,
  update,
  VERSION_IS_AS_READ,
} from "./items.ts";
import { allMemoryItems, rankEveryMemory } from "./memory-list.ts";
import { type IndexContext, indexChange, META_KEY, readIndexState, settle } from "./search-index.ts";

export interface ReindexReport {
  /** Memories of an older version that this run indexed. */
  indexed: number;
  /** Pending memories whose index entries this run rewrote. */
  settled: number;
}

/** Indexes `items` (memory items read through SEARCH_PROJECTION, not isIndexed); returns how many. */
export async function indexUnindexed(context: IndexContext, items: readonly Item[]): Promise<number> {
  let indexed = 0;
  for (const item of items) {
    const memory = readMemory(item);
    const index = indexChange(
      context.tableName,
      memory.id,
      { contribution: undefined, pending: false },
      { id: memory.id, terms: splitTerms(readString(item, "terms")), tags: memory.tags },
      MAX_TRANSACTION_ACTIONS - 1,
    );
    // A memory pending in an older format's index carries the flag still: it goes unless pending here.
    const expression = `SET #indexed = :indexFormat${index.pending ? ", #pending = :one" : " REMOVE #pending"}`;
    const condition = `${VERSION_IS_AS_READ} AND (attribute_not_exists(#indexed) OR #indexed <> :indexFormat)`;
    try {
      await mapped(
        context.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              update(
                context.tableName,
                memoryKey(memory.id),
                expression,
                {
                  ":indexFormat": numberValue(INDEX_FORMAT),
                  ":readVersion": numberValue(readNumber(item, "version")),
                  ...(index.pending ? { ":one": numberValue(1) } : {}),
                },
                condition,
              ),
              ...index.actions,
            ],
          }),
        ),
      );
    } catch (error) {
      // Written or deleted meanwhile, by a version that maintains the index: nothing left to do.
      if (isTransactionConflict(error) || cancellationCodes(error)?.includes(CONDITION_FAILED)) continue;
      throw error;
    }
    indexed += 1;
    if (index.pending) await settle(context, memory.id);
  }
  return indexed;
}

/** Memories of an older version a search over a table not yet indexed indexes on its way. */
const MIGRATE_PER_SEARCH = 25;

/**
 * A search over a table written by a version without the index: ranks every memory as that version did,
 * indexes a few of them on the way, and marks the index built once none is left (so an empty or fully
 * indexed table is built at its first search).
 */
export async function searchBeforeIndex(
  context: IndexContext,
  query: string,
  tags: readonly string[],
  limit: number,
): Promise<SearchResult> {
  const items = await allMemoryItems(context);
  const unindexed = items.filter((item) => !isIndexed(item));
  if (unindexed.length === 0) await markBuilt(context);
  else await indexUnindexed(context, unindexed.slice(0, MIGRATE_PER_SEARCH));
  return rankEveryMemory(items, query, tags, limit);
}

/** Marks the index built: from now on searches read postings instead of every memory. */
export async function markBuilt(context: IndexContext): Promise<void> {
  const expression = "SET #token = :built";
  await mapped(
    context.client.send(
      new UpdateItemCommand({
        TableName: context.tableName,
        Key: META_KEY,
        UpdateExpression: expression,
        ExpressionAttributeNames: attributeNames(expression),
        ExpressionAttributeValues: { ":built": { S: "built" } },
      }),
    ),
  );
}

/** Indexes every memory that lacks it and settles every pending one, then marks the index built. */
export async function reindexTable(context: IndexContext): Promise<ReindexReport> {
  const unindexed = (await allMemoryItems(context)).filter((item) => !isIndexed(item));
  const indexed = await indexUnindexed(context, unindexed);
  let settled = 0;
  for (const id of (await readIndexState(context)).pendingIds) {
    if (await settle(context, id)) settled += 1;
  }
  await markBuilt(context);
  return { indexed, settled };
}
