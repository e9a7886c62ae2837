// What an update makes of a stored memory, and what the index must take back from it: pure functions of
// the stored memory and the requested changes, used by the store's update (./memory-store.ts).
import { type MemoryChanges, normaliseTags } from "../memory/memory-store.ts";
import { hashContent, type StoredMemory, splitTerms, termsOf } from "./items.ts";
import type { IndexedBefore } from "./search-index.ts";

/** The memory as `changes` leave it, one version on; undefined when they change nothing. */
export function changedMemory(
  now: () => Date,
  current: StoredMemory,
  changes: MemoryChanges,
): StoredMemory | undefined {
  const content = changes.content ?? current.memory.content;
  const tags = changes.tags === undefined ? current.memory.tags : normaliseTags(changes.tags);
  if (content === current.memory.content && sameStrings(tags, current.memory.tags)) return undefined;
  return {
    memory: {
      ...current.memory,
      content,
      tags,
      updatedAt: now().toISOString(),
      version: current.memory.version + 1,
    },
    terms: termsOf(content, tags),
    contentHash: content === current.memory.content ? current.contentHash : hashContent(content),
    indexed: true,
    pending: false,
  };
}

export function indexedBefore(current: StoredMemory): IndexedBefore {
  return {
    contribution: current.indexed
      ? { id: current.memory.id, terms: splitTerms(current.terms), tags: current.memory.tags }
      : undefined,
    pending: current.pending,
  };
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
