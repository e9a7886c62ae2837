// Pins down the store's restore() and count() against dynalite: a restored memory keeps its id, timestamps
// and version and is stored exactly as create would store it (guard, search terms); restoring it again,
// or restoring other memory with content already stored, writes nothing and returns what is stored.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Memory } from "../../src/memory/memory-store.ts";
import { analyze } from "../../src/search/analyze.ts";
import { createTestStore, type Dynalite, startDynalite } from "../helpers/dynalite.ts";

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

const BACKED_UP: Memory = {
  id: "01JF0000000000000000000001",
  content: "Maya 玛雅 was born on 14 March 2019 🎂",
  tags: ["family", "kids"],
  createdAt: "2024-12-01T08:00:00.000Z",
  updatedAt: "2025-02-03T09:30:00.000Z",
  version: 3,
};

describe("restore", () => {
  test("stores the memory as given: get, list and search see its own id, timestamps and version", async () => {
    const { store } = await createTestStore(database);
    assert.deepEqual(await store.restore(BACKED_UP), { memory: BACKED_UP, written: true });
    assert.deepEqual(await store.get(BACKED_UP.id), BACKED_UP);
    assert.deepEqual(await store.list({ limit: 10 }), { memories: [BACKED_UP] });
    assert.deepEqual(await store.all(), [
      { ...BACKED_UP, terms: analyze(`${BACKED_UP.content}\n${BACKED_UP.tags.join(" ")}`) },
    ]);
  });

  test("a restored memory is in the search index, found by its words and its tags", async () => {
    const { store } = await createTestStore(database, { scanAtMost: 0 });
    await store.restore(BACKED_UP);
    await store.create("Something else about the garden", ["home"]);
    const found = await store.search("when was Maya born", { limit: 5, tags: ["family"] });
    assert.deepEqual(
      { ids: found.hits.map((hit) => hit.memory), searched: found.searched },
      { ids: [BACKED_UP], searched: 1 },
    );
  });

  test("a second restore of the same memory writes nothing", async () => {
    const { store } = await createTestStore(database);
    await store.restore(BACKED_UP);
    assert.deepEqual(await store.restore(BACKED_UP), { memory: BACKED_UP, written: false });
    assert.equal(await store.count(), 1);
  });

  test("an id already taken keeps the stored memory, even with other content", async () => {
    const { store } = await createTestStore(database);
    await store.restore(BACKED_UP);
    const other = { ...BACKED_UP, content: "Something else entirely", version: 9 };
    assert.deepEqual(await store.restore(other), { memory: BACKED_UP, written: false });
    assert.deepEqual(await store.get(BACKED_UP.id), BACKED_UP);
  });

  test("content stored under another id is not stored twice: the holder comes back", async () => {
    const { store } = await createTestStore(database);
    const created = await store.create(BACKED_UP.content, []);
    assert.deepEqual(await store.restore(BACKED_UP), { memory: created.memory, written: false });
    assert.equal(await store.count(), 1);
  });

  test("a restored memory holds its content guard: create finds it, delete frees it", async () => {
    const { store } = await createTestStore(database);
    await store.restore(BACKED_UP);
    // Whitespace differences are the same content for the guard, as for create.
    assert.deepEqual(await store.create(` ${BACKED_UP.content.replace(" ", "\n")}`, []), {
      memory: BACKED_UP,
      duplicate: true,
    });
    await store.delete(BACKED_UP.id);
    assert.equal((await store.create(BACKED_UP.content, [])).duplicate, false);
  });

  test("tags are normalised as create normalises them", async () => {
    const { store } = await createTestStore(database);
    const result = await store.restore({ ...BACKED_UP, tags: ["Kids", "family", "kids"] });
    assert.deepEqual(result, { memory: { ...BACKED_UP, tags: ["kids", "family"] }, written: true });
  });

  test("an id that is not a ULID is a programming error", async () => {
    const { store } = await createTestStore(database);
    await assert.rejects(store.restore({ ...BACKED_UP, id: "not-an-id" }), RangeError);
  });
});

describe("count", () => {
  test("counts memories only, across pages", async () => {
    const { store } = await createTestStore(database);
    assert.equal(await store.count(), 0);
    // Long contents make DynamoDB (and dynalite) split the count over several 1 MB pages.
    const long = "x".repeat(9_000);
    for (let index = 0; index < 130; index++) await store.create(`${index} ${long}`, []);
    assert.equal(await store.count(), 130);
  });
});
