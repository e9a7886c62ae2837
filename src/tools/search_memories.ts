// search_memories: ranked full-text search (BM25 over the store's index) across every memory.
import schemas from "../../schemas/search_memories.json" with { type: "json" };
import { search_memories_input } from "../generated/input-validators.js";
import { snippetFor } from "../search/rank.ts";
import { defineTool, type ToolSchemas } from "./tool.ts";

interface Input {
  query: string;
  tags?: string[];
  limit?: number;
}

interface SearchResult {
  id: string;
  score: number;
  snippet: string;
  snippetTruncated: boolean;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export const searchMemories = defineTool<Input, { results: SearchResult[]; searched: number }>({
  name: "search_memories",
  title: "Search memories",
  description:
    "Search the user's long-term memory with a natural-language question or keywords and get the best matches " +
    "first, each with a relevance score and the most relevant passage. Search before answering anything that " +
    "depends on what the user told you before (family, dates, preferences, health, work, plans), and before " +
    "creating a memory that may already exist. Matching ignores case and accents and handles word forms; try " +
    "other words if nothing relevant comes back. Call get_memory for the full text when snippetTruncated is true.",
  annotations: {
    title: "Search memories",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  schemas: schemas as ToolSchemas,
  validateInput: search_memories_input,
  async run(input, { store }) {
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
  },
});
