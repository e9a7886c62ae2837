// The JSONL export format: one memory a line, its fields in a fixed order, so exports diff cleanly.
import type { Memory } from "./memory-store.ts";

/** One memory as one line of the export (no trailing newline). */
export function toJsonLine(memory: Memory): string {
  const { id, content, tags, createdAt, updatedAt, version } = memory;
  return JSON.stringify({ id, content, tags, createdAt, updatedAt, version });
}
