// search_memories: ranked full-text search (BM25 over the store's index) across every memory.
import type { MemoryStore } from "../memory/memory-store.ts";
import { snippetFor } from "../search/rank.ts";
import { defineTool, type ToolInput, type ToolOutput } from "./tool.ts";

export const searchMemories = defineTool({
  name: "search_memories",
  title: "Search memories",
  description:
    "Search the user's long-term memory and get the best matches first, each with a relevance score and the " +
    "most relevant passage. Search before answering anything that depends on what the user told you before " +
    "(family, dates, preferences, health, work, plans), and before creating a memory that may already exist. " +
    "Search matches words, not meanings, and a memory may use other words than the question: write the query " +
    'as the key terms plus likely synonyms and related words, e.g. for "which antibiotics should I avoid?" ' +
    'search "antibiotic penicillin amoxicillin allergy allergic". Matching ignores case and accents and ' +
    "handles word forms; try other words if nothing relevant comes back. Call get_memory for the full text " +
    "when snippetTruncated is true.",
  annotations: {
    title: "Search memories",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: (input, { store }) => searchStore(store, input),
});

/** The search itself, also run by the memory page (src/web/), so that both rank exactly alike. */
export async function searchStore(
  store: MemoryStore,
  input: ToolInput<"search_memories">,
): Promise<ToolOutput<"search_memories">> {
  const { hits, searched } = await store.search(input.query, {
    limit: input.limit ?? 10,
    tags: input.tags ?? [],
  });
  return {
    results: hits.map(({ memory, score }) => ({
      id: memory.id,
      score,
      ...snippetFor(input.query, memory.content),
      tags: memory.tags,
      createdAt: memory.createdAt,
      updatedAt: memory.updatedAt,
      version: memory.version,
    })),
    searched,
  };
}
