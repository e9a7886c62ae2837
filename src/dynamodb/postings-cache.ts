// A container's copy of the index partitions its searches have read (a term's postings, a tag's members),
// kept while the index's version (IndexState.version) stays what it was when they were read. Every change to
// an entry moves the version in the same transaction, and a search reads the version before any partition,
// so an entry served from here is what a read would return now. A warm search then reads only the index
// state and its hits (docs/storage-index.md, "The container's cache").

/** One entry of a partition: a memory, its term frequency (0 for a tag member) and its length. */
export interface IndexEntry {
  id: string;
  tf: number;
  dl: number;
}

/** About 100 bytes each (measured: 10.2 MiB per 100,000), so at most about 5 MiB of a 128 MB function. */
export const MAX_CACHED_ENTRIES = 50_000;

export class PartitionCache {
  #version: string | undefined;
  /** In order of last use: the first is evicted first. */
  readonly #partitions = new Map<string, readonly IndexEntry[]>();
  #size = 0;

  constructor(private readonly maxEntries = MAX_CACHED_ENTRIES) {}

  /** Entries held now, over every partition. */
  get size(): number {
    return this.#size;
  }

  /**
   * The entries of `partition` if it was read at `version`, else undefined: read it then, and keep() it. An
   * undefined version (an empty index) is never cached. A new version drops everything held.
   */
  get(version: string | undefined, partition: string): readonly IndexEntry[] | undefined {
    if (version === undefined) return undefined;
    if (version !== this.#version) {
      this.#partitions.clear();
      this.#size = 0;
      this.#version = version;
    }
    const held = this.#partitions.get(partition);
    if (held !== undefined) {
      this.#partitions.delete(partition);
      this.#partitions.set(partition, held);
    }
    return held;
  }

  /** Keeps `entries` of `partition`, read at `version`, for the next search: if that is still the version. */
  keep(version: string | undefined, partition: string, entries: readonly IndexEntry[]): void {
    // Another search may have seen a newer version while this one read.
    if (version === undefined || version !== this.#version || entries.length > this.maxEntries) return;
    this.#keep(partition, entries);
  }

  #keep(partition: string, entries: readonly IndexEntry[]): void {
    const previous = this.#partitions.get(partition);
    if (previous !== undefined) {
      this.#partitions.delete(partition);
      this.#size -= previous.length;
    }
    for (const [oldest, held] of this.#partitions) {
      if (this.#size + entries.length <= this.maxEntries) break;
      this.#partitions.delete(oldest);
      this.#size -= held.length;
    }
    this.#partitions.set(partition, entries);
    this.#size += entries.length;
  }
}
