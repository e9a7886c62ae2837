// The memory store contract: what the tools need from storage, free of any AWS type.
// The DynamoDB implementation lives in src/dynamodb/; tests run it against dynalite.

/** One memory, as stored and as returned by the tools. */
export interface Memory {
  /** Time-sortable id (ULID: 48-bit millisecond time + 80 random bits, Crockford base32). */
  id: string;
  /** Stored verbatim: never rewritten, trimmed or summarised. */
  content: string;
  /** Lowercase, deduplicated, in the order the caller gave them. */
  tags: string[];
  createdAt: string;
  updatedAt: string;
  /** Starts at 1 and grows by one on every update. */
  version: number;
}

/** A memory together with the analysed search terms stored beside it. */
export interface IndexedMemory extends Memory {
  /** Analysed terms of content and tags (see src/search), stored so search never re-analyses. */
  terms: string[];
}

export interface CreateResult {
  memory: Memory;
  /** True when identical content (after whitespace normalisation) was already stored: nothing new was written. */
  duplicate: boolean;
}

export interface UpdateResult {
  memory: Memory;
  /** False when the memory already had this content and these tags: nothing was written. */
  changed: boolean;
}

export interface MemoryChanges {
  content?: string;
  tags?: string[];
}

export interface ListOptions {
  limit: number;
  /** Opaque position from a previous page's `nextCursor`. */
  cursor?: string;
  /** Only memories carrying every one of these tags. */
  tags?: string[];
}

export interface ListPage {
  memories: Memory[];
  /** Present when more memories follow. */
  nextCursor?: string;
}

export interface SearchOptions {
  /** At most this many hits, best first. */
  limit: number;
  /** Only memories carrying every one of these tags; ranking statistics are then over those memories. */
  tags?: string[];
}

export interface ScoredMemory {
  memory: Memory;
  /** BM25 score, rounded to 4 decimals; only comparable within one search. */
  score: number;
}

export interface SearchResult {
  hits: ScoredMemory[];
  /** How many memories the search ranked among: the store, or those carrying the required tags. */
  searched: number;
}

/** Tags as a Memory holds them: NFC, lower case, trimmed, deduplicated, in the caller's order (first wins). */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.normalize("NFC").toLowerCase().trim()))];
}

export type StoreErrorKind =
  /** No memory has that id. */
  | "not_found"
  /** `expectedVersion` did not match, or the memory changed while we wrote it. */
  | "version_conflict"
  /** An update would make this memory's content identical to another memory's. */
  | "duplicate_content"
  /** The cursor was forged, tampered with or made for another listing. */
  | "invalid_cursor"
  /** DynamoDB throttled us after the SDK's own retries. */
  | "throttled"
  /** DynamoDB could not be reached or failed after retries. */
  | "unavailable";

/** An expected failure of a store operation; the message is safe to show the model. */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    /** For duplicate_content: the id of the memory that already holds that content. */
    readonly existingId?: string,
  ) {
    super(message);
  }
}

export interface MemoryStore {
  /** Stores a memory unless identical content already exists; races between identical creates store one. */
  create(content: string, tags: string[]): Promise<CreateResult>;
  get(id: string): Promise<Memory | undefined>;
  /** Applies changes atomically; throws StoreError not_found, version_conflict or duplicate_content. */
  update(id: string, changes: MemoryChanges, expectedVersion?: number): Promise<UpdateResult>;
  /** Removes a memory and returns what was removed; throws StoreError not_found. */
  delete(id: string): Promise<Memory>;
  /** Newest first. */
  list(options: ListOptions): Promise<ListPage>;
  /**
   * Ranked full-text search (BM25, see src/search/rank.ts) over every memory, or those carrying `tags`.
   * Sees every write that returned before it started, from any container.
   */
  search(query: string, options: SearchOptions): Promise<SearchResult>;
  /** Every memory with its search terms, newest first, read page by page to the end. */
  all(): Promise<IndexedMemory[]>;
  /**
   * The same store, whose every call stops when `signal` aborts: a deadline over all the commands of one
   * tool call, so a stalled database answers "unavailable" inside the Lambda timeout.
   */
  withDeadline(signal: AbortSignal): MemoryStore;
}
