// update_memory: changes content and/or tags atomically, optionally only if the version is unchanged.
import { type MemoryChanges, normaliseTags } from "../memory/memory-store.ts";
import { normaliseId } from "./memory-view.ts";
import { defineTool, ToolError } from "./tool.ts";

export const updateMemory = defineTool({
  name: "update_memory",
  title: "Correct a memory",
  description:
    "Replace the content and/or the tags of an existing memory, when a fact changed or was wrong " +
    "(a new job, a corrected date). Give the complete new content, not a diff. Pass expectedVersion (the version " +
    "you read) to make sure you do not overwrite a change made elsewhere; on a conflict nothing is written and " +
    "you should read the memory again with get_memory.",
  annotations: {
    title: "Correct a memory",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run(input, { store }) {
    if (input.content === undefined && input.tags === undefined) {
      throw new ToolError('Invalid arguments for update_memory: give "content", "tags" or both to change.');
    }
    const changes: MemoryChanges = {};
    if (input.content !== undefined) changes.content = input.content;
    if (input.tags !== undefined) changes.tags = normaliseTags(input.tags);
    return store.update(normaliseId(input.id), changes, input.expectedVersion);
  },
});
