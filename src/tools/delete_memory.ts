// delete_memory: removes one memory by id and returns what was removed.
import { normaliseId } from "./memory-view.ts";
import { defineTool } from "./tool.ts";

export const deleteMemory = defineTool({
  name: "delete_memory",
  title: "Forget a memory",
  description:
    "Permanently delete one memory by id, when the user asks you to forget something or a memory is wrong and " +
    "should not be corrected with update_memory. Returns the deleted memory so you can confirm what was removed. " +
    "This cannot be undone from here.",
  annotations: {
    title: "Forget a memory",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run({ id }, { store }) {
    return { deleted: await store.delete(normaliseId(id)) };
  },
});
