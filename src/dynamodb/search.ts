// Which way a search goes (docs/storage-index.md): a table not yet indexed ranks every memory and migrates
// a few (./reindex.ts); a small store is read whole in one request; any other goes through the index
// (./index-search.ts), whose postings take one request for up to 6 query terms and tags.
import type { SearchResult } from "../memory/memory-store.ts";
import { searchIndex } from "./index-search.ts";
import { allMemoryItems, rankEveryMemory } from "./memory-list.ts";
import type { PartitionCache } from "./postings-cache.ts";
import { searchBeforeIndex } from "./reindex.ts";
import { type IndexContext, readIndexState } from "./search-index.ts";

/** Up to this many memories (DynamoDbStoreOptions.scanAtMost), reading them all takes fewer requests. */
export const SCAN_AT_MOST = 250;
/** Long memories make reading everything costly: a few of 10,000 characters weigh as hundreds of short ones. */
export const SCAN_TERMS_PER_MEMORY = 20;

export interface SearchPlan {
  tags: readonly string[];
  limit: number;
  signal: AbortSignal | undefined;
  cache: PartitionCache;
  /** 0: always through the index. */
  scanAtMost: number;
}

export async function search(context: IndexContext, query: string, plan: SearchPlan): Promise<SearchResult> {
  const { tags, limit, scanAtMost } = plan;
  const state = await readIndexState(context);
  if (!state.built) return searchBeforeIndex(context, query, tags, limit);
  const small =
    scanAtMost > 0 &&
    state.documentCount <= scanAtMost &&
    state.totalLength <= scanAtMost * SCAN_TERMS_PER_MEMORY;
  if (small) return rankEveryMemory(await allMemoryItems(context), query, tags, limit);
  return searchIndex(context, state, query, plan);
}
