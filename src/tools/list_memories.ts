// list_memories: newest first, one bounded page at a time, with an opaque tamper-evident cursor.
import { type ListOptions, normaliseTags } from "../memory/memory-store.ts";
import { preview } from "./memory-view.ts";
import { defineTool, type ToolOutput } from "./tool.ts";

export const listMemories = defineTool({
  name: "list_memories",
  title: "List memories",
  description:
    "List stored memories, newest first, optionally only those with given tags. Use it to review what you know " +
    "about the user or to browse a topic; to answer a specific question prefer search_memories. Long contents " +
    "are cut to 300 characters (contentTruncated: true; get_memory returns them whole). When nextCursor is " +
    "present, call again with it (and the same tags) for the next page.",
  annotations: {
    title: "List memories",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run(input, { store }) {
    const options: ListOptions = { limit: input.limit ?? 20 };
    if (input.cursor !== undefined) options.cursor = input.cursor;
    if (input.tags !== undefined && input.tags.length > 0) options.tags = normaliseTags(input.tags);
    const page = await store.list(options);
    const output: ToolOutput<"list_memories"> = { memories: page.memories.map(preview) };
    if (page.nextCursor !== undefined) output.nextCursor = page.nextCursor;
    return output;
  },
});
