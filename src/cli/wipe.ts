// `wipe --yes`: deletes every memory, one by one through the store (each delete takes its duplicate guard,
// and whatever the store keeps beside it, with it). OAuth clients and keys in the same table are kept.
import { type MemoryStore, StoreError } from "../memory/memory-store.ts";
import { Stopped } from "./errors.ts";
import { plural } from "./plural.ts";
import type { Progress } from "./progress.ts";
import { type RetryPolicy, withRetry } from "./retry.ts";

const PAGE_SIZE = 100;

export interface WipeOptions {
  store: MemoryStore;
  /** The count printed before starting, for the progress bar. */
  total: number;
  progress: Progress;
  retry: RetryPolicy;
  signal: AbortSignal;
}

export async function wipeMemories(options: WipeOptions): Promise<number> {
  const { store, total, progress, retry, signal } = options;
  let deleted = 0;
  try {
    for (;;) {
      // Always the first page: what was deleted is gone, so it holds the next memories to delete.
      const page = await withRetry(() => store.list({ limit: PAGE_SIZE }), retry, signal);
      if (page.memories.length === 0) break;
      for (const memory of page.memories) {
        signal.throwIfAborted();
        await withRetry(() => deleteIfThere(store, memory.id), retry, signal);
        deleted += 1;
        progress.update(
          total === 0 ? 1 : deleted / total,
          `${plural(deleted, "memory", "memories")} deleted`,
        );
      }
    }
  } catch (error) {
    progress.finish();
    throw new Stopped(error, `Deleted ${plural(deleted, "memory", "memories")} before stopping.`);
  }
  progress.finish();
  return deleted;
}

/** A delete retried after a lost answer finds the memory gone: that is what was wanted. */
async function deleteIfThere(store: MemoryStore, id: string): Promise<void> {
  try {
    await store.delete(id);
  } catch (error) {
    if (!(error instanceof StoreError && error.kind === "not_found")) throw error;
  }
}
