// create_memory: stores one memory verbatim; identical content is never stored twice.
import { normaliseTags } from "../memory/memory-store.ts";
import { defineTool } from "./tool.ts";

export const createMemory = defineTool({
  name: "create_memory",
  title: "Remember something",
  description:
    "Save one durable fact about the user to their long-term memory, shared across all their devices and conversations. " +
    "Use it when the user tells you something worth knowing later (people and relationships, dates such as birthdays, " +
    "preferences, allergies and health facts, work and projects, plans, decisions) or asks you to remember something. " +
    "Write one self-contained fact per memory, in the user's own words where possible, with absolute dates " +
    '("born 14 March 2019", not "last year"). The content is stored verbatim, never rewritten. ' +
    "If the same content is already stored, nothing new is written and the existing memory comes back with duplicate: true. " +
    "Search first (search_memories) when the fact may already be stored in other words, and update that memory instead.",
  annotations: {
    title: "Remember something",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run(input, { store }) {
    return store.create(input.content, normaliseTags(input.tags ?? []));
  },
});
