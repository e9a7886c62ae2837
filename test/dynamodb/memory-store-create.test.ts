// Pins down creating and reading memories in the DynamoDB store against dynalite: verbatim round trips, tags
// normalised in the caller's order, dedupe of identical content (NFC, whitespace) under races, and ids that
// list newest first even within one millisecond.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyze } from "../../src/search/analyze.ts";
import { freshStore, guardsOf, memoryAt, rawItems, START, ULID } from "./memory-store-support.ts";

describe("create and get", () => {
  test("a created memory comes back whole from create, get and all(), with its terms", async () => {
    const { store } = await freshStore();
    const result = await store.create("Ada's daughter was born on 14 March 2019", [
      "Family",
      "kids",
      "family",
    ]);
    assert.match(result.memory.id, ULID);
    const expected = memoryAt(
      result.memory.id,
      "Ada's daughter was born on 14 March 2019",
      ["family", "kids"],
      START,
    );
    assert.deepStrictEqual(result, { memory: expected, duplicate: false });
    assert.deepStrictEqual(await store.get(result.memory.id), expected);
    const all = await store.all();
    assert.deepStrictEqual(all, [
      { ...expected, terms: analyze("Ada's daughter was born on 14 March 2019\nfamily kids") },
    ]);
  });

  test("tags come back in the caller's order, lower case and deduplicated (first place wins)", async () => {
    const { store } = await freshStore();
    const { memory } = await store.create("Ada starts at the clinic in May", [
      "work",
      "Health",
      "ada",
      "WORK",
    ]);
    const tags = ["work", "health", "ada"];
    assert.deepStrictEqual(memory.tags, tags);
    assert.deepStrictEqual((await store.get(memory.id))?.tags, tags);
    assert.deepStrictEqual(
      (await store.list({ limit: 1 })).memories.map((listed) => listed.tags),
      [tags],
    );
    assert.deepStrictEqual(
      (await store.all()).map((indexed) => indexed.tags),
      [tags],
    );
  });

  test("content round-trips byte for byte: CJK, emoji sequences, combining marks, RTL, control characters", async () => {
    const { store } = await freshStore();
    const contents = [
      "記憶は大切です。기억해 주세요. 记住这个",
      "family: 👩‍👩‍👧‍👦 pride: 🏳️‍🌈 thumbs: 👍🏽 flag: 🇳🇿 keycap: 1️⃣",
      "decomposed: e\u0301 n\u0303 a\u030a, stacked: Z\u0351\u036b\u0343",
      "עברית: שלום עולם, عربي: مرحبا بالعالم \u200f(rtl mark)\u200e",
      "\ttabs\tand\nnewlines\r\nCRLF\u000bvertical\u000cfeed\u0001\u001f  ",
      "   leading and trailing whitespace kept   ",
      "zero width: a\u200bb\u200dc\ufeff",
    ];
    for (const content of contents) {
      const { memory, duplicate } = await store.create(content, []);
      assert.equal(duplicate, false);
      const stored = await store.get(memory.id);
      assert.deepStrictEqual(Buffer.from(stored?.content ?? "", "utf8"), Buffer.from(content, "utf8"));
    }
  });

  test("content identical after NFC and whitespace collapsing is a duplicate: same id, one memory, first bytes kept", async () => {
    const { store, tableName } = await freshStore();
    const first = await store.create("Cafe\u0301 opens at  9\n\ton Sundays", ["food"]);
    const again = await store.create("  Café opens at 9 on Sundays\u00a0\u3000", ["other"]);
    const expected = memoryAt(first.memory.id, "Cafe\u0301 opens at  9\n\ton Sundays", ["food"], START);
    assert.deepStrictEqual(first, { memory: expected, duplicate: false });
    assert.deepStrictEqual(again, { memory: expected, duplicate: true });
    assert.deepStrictEqual(await store.list({ limit: 10 }), { memories: [expected] });
    assert.deepStrictEqual(await guardsOf(tableName), [first.memory.id]);
  });

  test("different case or punctuation is different content", async () => {
    const { store } = await freshStore();
    const lower = await store.create("likes tea", []);
    const upper = await store.create("Likes tea", []);
    const dotted = await store.create("likes tea.", []);
    assert.deepStrictEqual(
      [
        lower.duplicate,
        upper.duplicate,
        dotted.duplicate,
        new Set([lower, upper, dotted].map((r) => r.memory.id)).size,
      ],
      [false, false, false, 3],
    );
  });

  test("25 identical creates racing store exactly one memory, and every caller gets it", async () => {
    const { store, tableName } = await freshStore();
    const results = await Promise.all(
      Array.from({ length: 25 }, () => store.create("the wifi password is hunter2", [])),
    );
    const winner = results.find((result) => !result.duplicate);
    assert.ok(winner);
    assert.deepStrictEqual(
      results.map((result) => result.memory),
      Array.from({ length: 25 }, () => winner.memory),
    );
    assert.equal(results.filter((result) => result.duplicate).length, 24);
    assert.deepStrictEqual(
      (await rawItems(tableName)).map((item) => String(item.sk).slice(0, 2)),
      ["H#", "M#"],
    );
  });

  test("25 distinct creates racing store 25 memories, all listed", async () => {
    const { store } = await freshStore();
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => store.create(`fact number ${i}`, [])),
    );
    const created = results.map((result) => result.memory.id).sort();
    assert.equal(new Set(created).size, 25);
    assert.ok(results.every((result) => !result.duplicate));
    const listed = (await store.list({ limit: 100 })).memories.map((memory) => memory.id).sort();
    assert.deepStrictEqual(listed, created);
  });

  test("ids made in one millisecond still list newest first", async () => {
    const { store } = await freshStore(); // the fake clock does not move here
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await store.create(`same instant ${i}`, [])).memory.id);
    assert.deepStrictEqual(
      (await store.list({ limit: 10 })).memories.map((memory) => memory.id),
      created.reverse(),
    );
  });
});
