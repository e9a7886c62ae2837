// Pins down create_memory as the model sees it, through the real Lambda handler against dynalite: content
// stored verbatim with normalised tags, duplicates never stored twice (even when racing), unicode round
// trips, and every limit refused with a message naming each bad field and nothing stored.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { useToolClient } from "../helpers/tools.ts";

const { call, fail, create, listAll } = useToolClient();

describe("create_memory", () => {
  test("stores content verbatim with normalised tags and a fresh ULID", async () => {
    const before = Date.now();
    const result = await call("create_memory", {
      content: "  I prefer tea to coffee.\n\tEspecially green tea.  ",
      tags: ["Food", "food", "Preferences"],
    });
    const { memory } = result;
    assert.deepEqual(result, {
      duplicate: false,
      memory: {
        id: memory.id,
        content: "  I prefer tea to coffee.\n\tEspecially green tea.  ",
        tags: ["food", "preferences"],
        createdAt: memory.createdAt,
        updatedAt: memory.createdAt,
        version: 1,
      },
    });
    assert.match(memory.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    // Bounds, not a window: the creation time lies between the moments before and after the call.
    assert.ok(
      Date.parse(memory.createdAt) >= before - 1000 && Date.parse(memory.createdAt) <= Date.now() + 1000,
    );
  });

  test("identical content after whitespace normalisation is a duplicate, never stored twice", async () => {
    const first = await create("My passport expires on 2031-05-02.");
    const again = await call("create_memory", {
      content: "My   passport expires\non 2031-05-02. ",
      tags: ["travel"],
    });
    assert.deepEqual(again, { memory: first, duplicate: true });
  });

  test("20 identical creates racing store exactly one memory", async () => {
    const content = `Race ${Date.now()}: my bike is a blue Brompton.`;
    const results = await Promise.all(Array.from({ length: 20 }, () => call("create_memory", { content })));
    const ids = new Set(results.map((result) => result.memory.id));
    assert.equal(ids.size, 1);
    assert.equal(results.filter((result) => !result.duplicate).length, 1);
    const stored = (await listAll()).filter((memory) => memory.content === content);
    assert.equal(stored.length, 1);
  });

  test("unicode round-trips byte for byte", async () => {
    const content =
      "娘の誕生日は3月14日 · 딸 생일 · Zoë’s café 🎂👩‍👩‍👧‍👦🏳️‍🌈 · e\u0301 (combining) · עברית · \u{1F600}\u200D · tab\there";
    const created = await create(content, ["ünïcode", "日本"]);
    const { memory } = await call("get_memory", { id: created.id });
    assert.ok(Buffer.from(memory.content, "utf8").equals(Buffer.from(content, "utf8")));
    assert.deepEqual(memory.tags, ["ünïcode", "日本"]);
  });

  test("content over 10,000 characters is refused and nothing is stored", async () => {
    const marker = `oversized-${Date.now()}`;
    const message = await fail("create_memory", { content: `${marker} ${"x".repeat(10_000)}` });
    assert.equal(
      message,
      'Invalid arguments for create_memory: "content": must NOT have more than 10000 characters',
    );
    const exactly = `${marker}${"y".repeat(10_000 - marker.length)}`;
    assert.equal((await create(exactly)).content.length, 10_000, "the limit itself is allowed");
    assert.equal((await listAll()).filter((memory) => memory.content.startsWith(marker)).length, 1);
  });

  test("10,000 four-byte characters fit (the limit counts characters, the item stays far below 400 KB)", async () => {
    const content = "😀".repeat(10_000);
    const created = await create(content);
    assert.equal((await call("get_memory", { id: created.id })).memory.content, content);
  });

  test("bad tags and unknown properties are refused, naming every field", async () => {
    assert.equal(
      await fail("create_memory", { content: "x", tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }),
      'Invalid arguments for create_memory: "tags": must NOT have more than 10 items',
    );
    assert.equal(
      await fail("create_memory", { content: "x", tags: ["a,b", "y".repeat(41)], id: "mine" }),
      'Invalid arguments for create_memory: arguments: unknown property "id"; "tags.0": must not start or end with whitespace, nor contain commas; "tags.1": must NOT have more than 40 characters',
    );
    assert.equal(
      await fail("create_memory", { content: "   \n " }),
      'Invalid arguments for create_memory: "content": must contain some non-whitespace text',
    );
    assert.equal(
      await fail("create_memory", {}),
      'Invalid arguments for create_memory: arguments: missing required property "content"',
    );
    assert.equal(
      await fail("create_memory", { content: 42 }),
      'Invalid arguments for create_memory: "content": must be string',
    );
  });
});
