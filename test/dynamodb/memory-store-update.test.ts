// Pins down updating a memory in the DynamoDB store against dynalite: version and timestamps, changes that
// change nothing, optimistic concurrency with and without expectedVersion, and the content guards an update
// takes and releases.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StoreError } from "../../src/memory/memory-store.ts";
import { analyze } from "../../src/search/analyze.ts";
import { freshStore, guardsOf, memoryAt, rawItems, rejectsWith, START } from "./memory-store-support.ts";

describe("update", () => {
  test("content, tags and both: version + 1, updatedAt now, createdAt kept, terms follow", async () => {
    const { store, clock } = await freshStore();
    const { memory } = await store.create("Ada likes green tea", ["drinks"]);

    const t1 = clock.advance();
    assert.deepStrictEqual(await store.update(memory.id, { content: "Ada likes oolong tea" }), {
      memory: memoryAt(memory.id, "Ada likes oolong tea", ["drinks"], START, t1, 2),
      changed: true,
    });
    const t2 = clock.advance();
    assert.deepStrictEqual(await store.update(memory.id, { tags: ["Ada", "drinks"] }), {
      memory: memoryAt(memory.id, "Ada likes oolong tea", ["ada", "drinks"], START, t2, 3),
      changed: true,
    });
    const t3 = clock.advance();
    const both = memoryAt(memory.id, "Ada prefers coffee", ["coffee"], START, t3, 4);
    assert.deepStrictEqual(
      await store.update(memory.id, { content: "Ada prefers coffee", tags: ["coffee"] }, 3),
      { memory: both, changed: true },
    );
    assert.deepStrictEqual(await store.get(memory.id), both);
    assert.deepStrictEqual(await store.all(), [{ ...both, terms: analyze("Ada prefers coffee\ncoffee") }]);
  });

  test("an update that changes nothing writes nothing and returns the memory as it is", async () => {
    const { store, clock } = await freshStore();
    const { memory } = await store.create("unchanged", ["b", "a"]);
    clock.advance();
    assert.deepStrictEqual(
      await store.update(memory.id, { content: "unchanged", tags: ["B", "a", "b"] }, 1),
      {
        memory,
        changed: false,
      },
    );
    assert.deepStrictEqual(await store.update(memory.id, {}), { memory, changed: false });
    assert.deepStrictEqual(await store.get(memory.id), memory);
  });

  test("the same tags in another order are a change: stored in the new order", async () => {
    const { store, clock } = await freshStore();
    const { memory } = await store.create("Ada's dentist is Dr Osei", ["health", "ada"]);
    const t1 = clock.advance();
    const reordered = memoryAt(memory.id, memory.content, ["ada", "health"], START, t1, 2);
    assert.deepStrictEqual(await store.update(memory.id, { tags: ["Ada", "health"] }, 1), {
      memory: reordered,
      changed: true,
    });
    assert.deepStrictEqual(await store.get(memory.id), reordered);
  });

  test("a whitespace-only change is stored verbatim and keeps the content guard", async () => {
    const { store, tableName, clock } = await freshStore();
    const { memory } = await store.create("two  spaces", []);
    const t1 = clock.advance();
    const updated = memoryAt(memory.id, "two spaces\n", [], START, t1, 2);
    assert.deepStrictEqual(await store.update(memory.id, { content: "two spaces\n" }), {
      memory: updated,
      changed: true,
    });
    assert.deepStrictEqual(await store.create("two spaces", []), { memory: updated, duplicate: true });
    assert.deepStrictEqual(await guardsOf(tableName), [memory.id]);
  });

  test("a stale expectedVersion is a version_conflict stating the current version, and nothing changes", async () => {
    const { store, tableName } = await freshStore();
    const { memory } = await store.create("first", []);
    const { memory: v2 } = await store.update(memory.id, { content: "second" });
    const before = await rawItems(tableName);
    await rejectsWith(store.update(memory.id, { content: "third", tags: ["x"] }, 1), {
      kind: "version_conflict",
      message:
        `Memory ${memory.id} is at version 2, not 1: it changed since you read it. ` +
        "Get it again and reapply your change to the current content.",
    });
    assert.deepStrictEqual(await store.get(memory.id), v2);
    assert.deepStrictEqual(await rawItems(tableName), before);
  });

  test("20 concurrent updates without expectedVersion all land, none lost", async () => {
    const { store } = await freshStore();
    const { memory } = await store.create("contended", []);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update(memory.id, { tags: [`writer-${String(i).padStart(2, "0")}`] }).then((r) => r.memory),
      ),
    );
    assert.deepStrictEqual(
      results.map((result) => result.version).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 2),
    );
    const last = results.find((result) => result.version === 21);
    assert.deepStrictEqual(await store.get(memory.id), last);
  });

  test("20 concurrent updates with the same expectedVersion: one lands, 19 are version_conflicts", async () => {
    const { store } = await freshStore();
    const { memory } = await store.create("contended", []);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.update(memory.id, { content: `writer ${i} wins` }, 1).then((r) => r.memory),
      ),
    );
    const landed = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    const kinds = outcomes.flatMap((outcome) =>
      outcome.status === "rejected" && outcome.reason instanceof StoreError ? [outcome.reason.kind] : [],
    );
    assert.equal(landed.length, 1);
    assert.deepStrictEqual(
      kinds,
      Array.from({ length: 19 }, () => "version_conflict"),
    );
    assert.deepStrictEqual(await store.get(memory.id), landed[0]);
    assert.equal(landed[0]?.version, 2);
  });

  test("content already held by another memory is duplicate_content naming it, and nothing changes", async () => {
    const { store, tableName } = await freshStore();
    const mine = await store.create("mine", ["a"]);
    const theirs = await store.create("theirs", ["b"]);
    const before = await rawItems(tableName);
    await rejectsWith(store.update(mine.memory.id, { content: "  theirs\n", tags: ["c"] }), {
      kind: "duplicate_content",
      message: `Memory ${theirs.memory.id} already holds this content; update or delete that memory instead.`,
      existingId: theirs.memory.id,
    });
    assert.deepStrictEqual(await rawItems(tableName), before);
  });

  test("updating content releases the old content's guard and takes the new one", async () => {
    const { store, tableName, clock } = await freshStore();
    const { memory } = await store.create("old content", []);
    const t1 = clock.advance();
    await store.update(memory.id, { content: "new content" });
    const recreated = await store.create("old content", []);
    assert.deepStrictEqual(recreated, {
      memory: memoryAt(recreated.memory.id, "old content", [], t1),
      duplicate: false,
    });
    assert.notEqual(recreated.memory.id, memory.id);
    assert.deepStrictEqual(await store.create("new content", []), {
      memory: memoryAt(memory.id, "new content", [], START, t1, 2),
      duplicate: true,
    });
    assert.deepStrictEqual((await guardsOf(tableName)).sort(), [memory.id, recreated.memory.id].sort());
  });
});
