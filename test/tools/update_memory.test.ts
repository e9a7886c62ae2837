// Pins down update_memory as the model sees it, through the real Lambda handler against dynalite: content
// and tags changed with a version bump, optimistic concurrency (a stale expectedVersion changes nothing;
// racing updates land or fail cleanly, none lost), duplicates of another memory refused, no-op updates.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UNKNOWN_ID, useToolClient } from "../helpers/tools.ts";

const { call, callRaw, fail, create } = useToolClient();

describe("update_memory", () => {
  test("changes content and tags, bumps the version and keeps createdAt", async () => {
    const created = await create("I work at Initech as an analyst.", ["work"]);
    const { memory, changed } = await call("update_memory", {
      id: created.id,
      content: "I work at Globex as a data engineer since 2026-09-01.",
      tags: ["Work", "career"],
      expectedVersion: 1,
    });
    assert.equal(changed, true);
    assert.deepEqual(memory, {
      ...created,
      content: "I work at Globex as a data engineer since 2026-09-01.",
      tags: ["work", "career"],
      version: 2,
      updatedAt: memory.updatedAt,
    });
    assert.ok(memory.updatedAt >= created.updatedAt);
    const found = await call("search_memories", { query: "where do I work now?" });
    assert.equal(found.results[0]?.id, created.id, "search sees the new content");
  });

  test("an unknown id is an isError result naming the id", async () => {
    assert.match(
      await fail("update_memory", { id: UNKNOWN_ID, content: "x" }),
      new RegExp(`^No memory has id ${UNKNOWN_ID}`),
    );
  });

  test("a stale expectedVersion changes nothing and tells the model to re-read", async () => {
    const created = await create("My dentist is Dr. Ortega.");
    await call("update_memory", { id: created.id, content: "My dentist is Dr. Okafor." });
    const message = await fail("update_memory", {
      id: created.id,
      content: "My dentist is Dr. Smith.",
      expectedVersion: 1,
    });
    assert.equal(
      message,
      `Memory ${created.id} is at version 2, not 1: it changed since you read it. Get it again and reapply your change to the current content.`,
    );
    const { memory } = await call("get_memory", { id: created.id });
    assert.deepEqual([memory.content, memory.version], ["My dentist is Dr. Okafor.", 2]);
  });

  test("20 concurrent updates without expectedVersion land or fail cleanly, and none is lost", async () => {
    const created = await create("Counter memory.");
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => callRaw("update_memory", { id: created.id, tags: [`t${i}`] })),
    );
    const failures = outcomes.filter(({ result }) => result.isError === true);
    for (const { result } of failures) {
      assert.equal(
        result.content[0]?.text,
        `Memory ${created.id} kept changing while we wrote it (concurrent updates); get it again and retry.`,
      );
    }
    const landed = outcomes.length - failures.length;
    assert.ok(landed >= 1);
    // No lost write: every update that reported success is one version step.
    const { memory } = await call("get_memory", { id: created.id });
    assert.equal(memory.version, 1 + landed);
  });

  test("20 concurrent updates with the same expectedVersion: exactly one wins", async () => {
    const created = await create("Contended memory.");
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        callRaw("update_memory", {
          id: created.id,
          content: `Contended memory, variant ${i}.`,
          expectedVersion: 1,
        }),
      ),
    );
    const winners = outcomes.filter(({ result }) => result.isError !== true);
    assert.equal(winners.length, 1);
    const { memory } = await call("get_memory", { id: created.id });
    assert.deepEqual(winners[0]?.result.structuredContent, { memory, changed: true });
    assert.equal(memory.version, 2);
  });

  test("content identical to another memory is refused, naming that memory", async () => {
    const one = await create("Favourite colour: green.");
    const two = await create("Favourite colour: teal.");
    const message = await fail("update_memory", { id: two.id, content: "Favourite  colour: green." });
    assert.ok(message.includes(one.id), message);
    assert.equal((await call("get_memory", { id: two.id })).memory.content, "Favourite colour: teal.");
  });

  test("an update with nothing to change is refused; one that changes nothing writes nothing", async () => {
    const created = await create("Shoe size 43.", ["clothes"]);
    assert.equal(
      await fail("update_memory", { id: created.id }),
      'Invalid arguments for update_memory: give "content", "tags" or both to change.',
    );
    assert.deepEqual(
      await call("update_memory", { id: created.id, content: "Shoe size 43.", tags: ["Clothes"] }),
      { memory: created, changed: false },
    );
  });
});
