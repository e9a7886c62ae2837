// The tool registry: adding a tool is one schema in schemas/, one file here, and one line below.
import { createMemory } from "./create_memory.ts";
import { deleteMemory } from "./delete_memory.ts";
import { getMemory } from "./get_memory.ts";
import { listMemories } from "./list_memories.ts";
import { searchMemories } from "./search_memories.ts";
import type { Tool } from "./tool.ts";
import { updateMemory } from "./update_memory.ts";

export const tools: readonly Tool[] = [
  createMemory,
  searchMemories,
  listMemories,
  getMemory,
  updateMemory,
  deleteMemory,
];
