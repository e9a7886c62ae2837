// Pins down deleting a memory in the DynamoDB store against dynalite: the removed memory comes back and its
// content is free again, racing deletes remove it once, and unknown ids are not_found.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StoreError } from "../../src/memory/memory-store.ts";
import { freshStore, memoryAt, rawItems, rejectsWith } from "./memory-store-support.ts";

describe("delete", () => {
  test("returns the removed memory and releases its content", async () => {
    const { store, tableName, clock } = await freshStore();
    const { memory } = await store.create("to forget", ["tmp"]);
    assert.deepStrictEqual(await store.delete(memory.id), memory);
    assert.equal(await store.get(memory.id), undefined);
    assert.deepStrictEqual(await rawItems(tableName), []);
    const t1 = clock.advance();
    const again = await store.create("to forget", []);
    assert.deepStrictEqual(again, {
      memory: memoryAt(again.memory.id, "to forget", [], t1),
      duplicate: false,
    });
  });

  test("racing deletes: one returns the memory, the others are not_found", async () => {
    const { store } = await freshStore();
    const { memory } = await store.create("gone soon", []);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => store.delete(memory.id)));
    assert.deepStrictEqual(
      outcomes
        .map((outcome) =>
          outcome.status === "fulfilled"
            ? "deleted"
            : outcome.reason instanceof StoreError
              ? outcome.reason.kind
              : "?",
        )
        .sort(),
      ["deleted", "not_found", "not_found", "not_found", "not_found"],
    );
  });

  test("unknown ids: get is undefined, update and delete are not_found", async () => {
    const { store } = await freshStore();
    for (const id of ["01J0000000000000000000000Z", "not-a-ulid", "", "x".repeat(5_000)]) {
      assert.equal(await store.get(id), undefined);
      const notFound = { kind: "not_found" as const, message: `No memory has id ${id}.` };
      await rejectsWith(store.update(id, { content: "x" }), notFound);
      await rejectsWith(store.delete(id), notFound);
    }
  });
});
