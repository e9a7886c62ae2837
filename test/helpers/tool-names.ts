// The six tools, in the order tools/list serves them (src/tools/index.ts): the one list the tests share.
export const TOOL_NAMES = [
  "create_memory",
  "search_memories",
  "list_memories",
  "get_memory",
  "update_memory",
  "delete_memory",
] as const;
