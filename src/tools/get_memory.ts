// get_memory: one memory, whole, by id.
import { normaliseId } from "./memory-view.ts";
import { defineTool, ToolError } from "./tool.ts";

export const getMemory = defineTool({
  name: "get_memory",
  title: "Read a memory",
  description:
    "Read one memory in full by its id. Use it when a search or list result was cut (snippetTruncated or " +
    "contentTruncated is true) or before updating a memory, to see its whole content and current version.",
  annotations: {
    title: "Read a memory",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run({ id }, { store }) {
    const memory = await store.get(normaliseId(id));
    if (!memory)
      throw new ToolError(
        `No memory has id ${id}. Use search_memories or list_memories to find the right id.`,
      );
    return { memory };
  },
});
