// The container's cache of index partitions (src/dynamodb/postings-cache.ts): on its own (versions,
// eviction, limits), and against dynalite: a first search reads the index state, its terms' buckets and its hits,
// a repeated one only the index state and its hits, and
// every kind of write from another container (create, an update of the same length, a retag, a delete, a
// long memory settled after its write) is seen by the very next search of a container holding a cache.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoDbStore } from "../../src/dynamodb/memory-store.ts";
import { type IndexEntry, PartitionCache } from "../../src/dynamodb/postings-cache.ts";
import { BUCKETS } from "../../src/dynamodb/search-index.ts";
import type { MemoryStore } from "../../src/memory/memory-store.ts";
import { analyzeQuery } from "../../src/search/analyze.ts";
import {
  countingClient,
  createTestStore,
  type Dynalite,
  startDynalite,
  TEST_CURSOR_SECRET,
} from "../helpers/dynalite.ts";
import { assertIndexConsistent } from "../helpers/search-index.ts";

function entries(count: number, id = "m"): IndexEntry[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${id}${i}`, tf: 1, dl: 3 }));
}

/** What a search does with the cache (readPartitions): get, else read and keep. */
async function through(
  cache: PartitionCache,
  version: string | undefined,
  partition: string,
  read: () => Promise<IndexEntry[]>,
): Promise<readonly IndexEntry[]> {
  const held = cache.get(version, partition);
  if (held !== undefined) return held;
  const entries = await read();
  cache.keep(version, partition, entries);
  return entries;
}

describe("PartitionCache", () => {
  test("serves a partition read at the same version, and reads again once the version moves", async () => {
    const cache = new PartitionCache();
    let reads = 0;
    const read = async (): Promise<IndexEntry[]> => {
      reads += 1;
      return entries(2, `v${reads}-`);
    };
    const first = await through(cache, "1/2/3", "T#tea", read);
    assert.equal(await through(cache, "1/2/3", "T#tea", read), first);
    assert.equal(reads, 1);
    const second = await through(cache, "2/2/3", "T#tea", read);
    assert.notEqual(second, first);
    assert.equal(second[0]?.id, "v2-0");
    assert.equal(reads, 2);
    assert.equal(cache.size, 2, "the older version's entries are gone");
  });

  test("never keeps an empty index's partitions (no version)", async () => {
    const cache = new PartitionCache();
    let reads = 0;
    const read = async (): Promise<IndexEntry[]> => {
      reads += 1;
      return entries(1);
    };
    await through(cache, undefined, "T#tea", read);
    await through(cache, undefined, "T#tea", read);
    assert.equal(reads, 2);
    assert.equal(cache.size, 0);
  });

  test("evicts the least recently used partitions to stay within its bound, and skips one over it", async () => {
    const cache = new PartitionCache(10);
    const fixed = (count: number) => async (): Promise<IndexEntry[]> => entries(count);
    await through(cache, "v", "T#a", fixed(4));
    await through(cache, "v", "T#b", fixed(4));
    await through(cache, "v", "T#a", fixed(4)); // a is now the most recently used
    await through(cache, "v", "T#c", fixed(4)); // evicts b
    assert.equal(cache.size, 8);
    let reads = 0;
    const counted = async (): Promise<IndexEntry[]> => {
      reads += 1;
      return entries(4);
    };
    await through(cache, "v", "T#a", counted);
    await through(cache, "v", "T#c", counted);
    assert.equal(reads, 0, "a and c are held");
    await through(cache, "v", "T#b", counted);
    assert.equal(reads, 1, "b was evicted");
    await through(cache, "v", "T#huge", fixed(11));
    assert.equal(cache.size, 8, "a partition larger than the bound is served but not kept");
  });

  test("does not keep what was read at a version another search has since moved past", async () => {
    const cache = new PartitionCache();
    let release: () => void = () => {};
    const slow = through(cache, "1/1/1", "T#tea", async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return entries(1, "old");
    });
    await through(cache, "2/1/1", "T#milk", async () => entries(1, "new"));
    release();
    await slow;
    let reads = 0;
    await through(cache, "2/1/1", "T#tea", async () => {
      reads += 1;
      return entries(1, "new");
    });
    assert.equal(reads, 1);
  });
});

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

/** A container whose client counts the commands it sends, by name. */
function countingContainer(tableName: string): {
  store: MemoryStore;
  client: DynamoDBClient;
  sent: () => string[];
} {
  const { client, sent } = countingClient(database);
  // However few memories it holds, it searches through the index (and so through the cache).
  const store = createDynamoDbStore({ client, tableName, cursorSecret: TEST_CURSOR_SECRET, scanAtMost: 0 });
  return { store, client, sent };
}

async function ids(store: MemoryStore, query: string, tags?: string[]): Promise<string[]> {
  const result = await store.search(query, { limit: 10, ...(tags === undefined ? {} : { tags }) });
  return result.hits.map((hit) => hit.memory.id);
}

describe("a container's cache against dynalite", () => {
  test("a repeated search reads only the index state and its hits", async () => {
    const { store: writer, tableName } = await createTestStore(database);
    const { memory } = await writer.create("The boiler service is due in October.", ["home"]);
    await writer.create("Tea with oat milk, no sugar.", ["food"]);
    const reader = countingContainer(tableName);
    await ids(reader.store, "warm up"); // a table's first search switches its index on
    reader.sent();

    assert.deepStrictEqual(await ids(reader.store, "boiler service", ["home"]), [memory.id]);
    // The index state, one BatchGetItem of every bucket of the terms (variants included) and the tag, then
    // the hits.
    assert.ok((analyzeQuery("boiler service").size + 1) * BUCKETS <= 100, "one BatchGetItem holds them");
    assert.deepStrictEqual(reader.sent(), ["QueryCommand", "BatchGetItemCommand", "BatchGetItemCommand"]);
    assert.deepStrictEqual(await ids(reader.store, "boiler service", ["home"]), [memory.id]);
    assert.deepStrictEqual(reader.sent(), ["QueryCommand", "BatchGetItemCommand"]);
    reader.client.destroy();
  });

  test("every kind of write from another container is seen by the next search", async () => {
    const { store: writer, tableName } = await createTestStore(database);
    await writer.create("A note about the garden shed.", []);
    const reader = countingContainer(tableName);
    await ids(reader.store, "warm up");
    assert.deepStrictEqual(await ids(reader.store, "kayak paddle"), []);

    const { memory } = await writer.create("The kayak paddle is in the shed.", ["sport"]);
    assert.deepStrictEqual(await ids(reader.store, "kayak paddle"), [memory.id]);
    assert.deepStrictEqual(await ids(reader.store, "kayak", ["sport"]), [memory.id]);

    // Same number of terms, one of them different: docs and length stay, only `writes` moves.
    await writer.update(memory.id, { content: "The kayak helmet is in the shed." });
    assert.deepStrictEqual(await ids(reader.store, "paddle"), []);
    assert.deepStrictEqual(await ids(reader.store, "helmet"), [memory.id]);

    await writer.update(memory.id, { tags: ["water"] });
    assert.deepStrictEqual(await ids(reader.store, "kayak", ["sport"]), []);
    assert.deepStrictEqual(await ids(reader.store, "kayak", ["water"]), [memory.id]);

    await writer.delete(memory.id);
    assert.deepStrictEqual(await ids(reader.store, "kayak"), []);
    await assertIndexConsistent(database.client, tableName);
    reader.client.destroy();
  });

  test("a long memory settled after its write is found through its postings once settled", async () => {
    const { store: writer, tableName } = await createTestStore(database);
    await writer.create("A short note about tea.", []);
    const reader = countingContainer(tableName);
    await ids(reader.store, "warm up");
    const long = Array.from({ length: 150 }, (_, i) => `epsilonword${i}x`).join(" ");
    assert.deepStrictEqual(await ids(reader.store, "epsilonword7x"), []);
    const { memory } = await writer.create(long, []);
    await assertIndexConsistent(database.client, tableName); // settled: no memory is pending
    assert.deepStrictEqual(await ids(reader.store, "epsilonword7x"), [memory.id]);
    await writer.update(memory.id, { content: "Now short, about coffee." });
    assert.deepStrictEqual(await ids(reader.store, "epsilonword7x"), []);
    assert.deepStrictEqual(await ids(reader.store, "coffee"), [memory.id]);
    reader.client.destroy();
  });
});
