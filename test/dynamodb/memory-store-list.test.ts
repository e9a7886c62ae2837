// Pins down reading memories from the DynamoDB store against dynalite (src/dynamodb/memory-list.ts):
// newest-first pagination with tag filters, the 2,000-item bound of a selective filter, tamper-evident
// cursors, and all(), which follows Query pages to the end.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BatchWriteItemCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoDbStore } from "../../src/dynamodb/memory-store.ts";
import type { MemoryStore } from "../../src/memory/memory-store.ts";
import { analyze } from "../../src/search/analyze.ts";
import { database, freshStore, memoryAt, rejectsWith } from "./memory-store-support.ts";

async function listAll(
  store: MemoryStore,
  limit: number,
  tags?: string[],
): Promise<{ ids: string[]; pages: number[] }> {
  const ids: string[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({
      limit,
      ...(cursor === undefined ? {} : { cursor }),
      ...(tags ? { tags } : {}),
    });
    ids.push(...page.memories.map((memory) => memory.id));
    pages.push(page.memories.length);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { ids, pages };
}

describe("list", () => {
  /** 23 memories a second apart; index i carries "all", "even" when i is even, "three" when i % 3 == 0. */
  async function seed(): Promise<{ store: MemoryStore; ids: string[]; tableName: string }> {
    const { store, tableName, clock } = await freshStore();
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const tags = ["all", ...(i % 2 === 0 ? ["even"] : []), ...(i % 3 === 0 ? ["three"] : [])];
      ids.push((await store.create(`memory ${i}`, tags)).memory.id);
      clock.advance();
    }
    return { store, ids, tableName };
  }

  test("pages of 1, 3, 7 and 23 return every memory once, newest first, with no cursor on the last page", async () => {
    const { store, ids } = await seed();
    const newestFirst = [...ids].reverse();
    assert.deepStrictEqual(await listAll(store, 1), {
      ids: newestFirst,
      pages: Array.from({ length: 23 }, () => 1),
    });
    assert.deepStrictEqual(await listAll(store, 3), { ids: newestFirst, pages: [3, 3, 3, 3, 3, 3, 3, 2] });
    assert.deepStrictEqual(await listAll(store, 7), { ids: newestFirst, pages: [7, 7, 7, 2] });
    assert.deepStrictEqual(await listAll(store, 23), { ids: newestFirst, pages: [23] });
    assert.deepStrictEqual(await listAll(store, 22), { ids: newestFirst, pages: [22, 1] });
  });

  test("the first page holds whole memories without terms or content hashes", async () => {
    const { store, ids } = await seed();
    const page = await store.list({ limit: 1 });
    assert.deepStrictEqual(page.memories, [
      memoryAt(ids[22] ?? "", "memory 22", ["all", "even"], "2026-03-01T10:00:22.000Z"),
    ]);
    assert.equal(typeof page.nextCursor, "string");
  });

  test("tag filters keep memories carrying every tag, across pages, case-insensitively", async () => {
    const { store, ids } = await seed();
    const newestFirst = [...ids].reverse();
    const expectedFor = (keep: (i: number) => boolean): string[] =>
      newestFirst.filter((_, index) => keep(22 - index));
    assert.deepStrictEqual(
      (await listAll(store, 2, ["even"])).ids,
      expectedFor((i) => i % 2 === 0),
    );
    assert.deepStrictEqual(await listAll(store, 2, ["THREE", "even"]), {
      ids: expectedFor((i) => i % 6 === 0),
      pages: [2, 2],
    });
    assert.deepStrictEqual((await listAll(store, 5, ["all"])).ids, newestFirst);
    assert.deepStrictEqual(await store.list({ limit: 5, tags: ["missing"] }), { memories: [] });
  });

  test("a filter is a set: the next page may name its tags in another order", async () => {
    const { store, ids } = await seed();
    const sixes = [...ids].reverse().filter((_, index) => (22 - index) % 6 === 0);
    const first = await store.list({ limit: 2, tags: ["three", "even"] });
    assert.ok(first.nextCursor !== undefined);
    const second = await store.list({ limit: 2, tags: ["Even", "three"], cursor: first.nextCursor });
    assert.deepStrictEqual(
      [...first.memories, ...second.memories].map((memory) => memory.id),
      sixes,
    );
    assert.equal(second.nextCursor, undefined);
  });

  test("a selective filter stops after 2,000 evaluated items with a cursor, and the next call carries on", async () => {
    const { store, tableName } = await freshStore();
    const rare = await store.create("the only rare one", ["rare"]);
    // 2,100 newer memories written directly in the store's item format: seeding through create() is slower.
    const base = Date.parse("2026-03-02T00:00:00.000Z");
    for (let batch = 0; batch < 84; batch++) {
      const requests = Array.from({ length: 25 }, (_, i) => {
        const n = batch * 25 + i;
        const id = `7${String(n).padStart(25, "0")}`; // sorts after every real ULID
        const at = new Date(base + n).toISOString();
        return {
          PutRequest: {
            Item: {
              pk: { S: "MEM" },
              sk: { S: `M#${id}` },
              id: { S: id },
              content: { S: `filler ${n}` },
              tags: { L: [{ S: "common" }] },
              createdAt: { S: at },
              updatedAt: { S: at },
              version: { N: "1" },
              terms: { S: `filler ${n} common` },
              contentHash: { S: `h${n}` },
            },
          },
        };
      });
      await database.client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
    }
    const first = await store.list({ limit: 5, tags: ["rare"] });
    assert.deepStrictEqual(first.memories, []);
    assert.equal(typeof first.nextCursor, "string");
    assert.deepStrictEqual(await store.list({ limit: 5, tags: ["rare"], cursor: first.nextCursor ?? "" }), {
      memories: [rare.memory],
    });
  });

  test("forged, tampered, truncated, foreign and garbage cursors are invalid_cursor", async () => {
    const { store, tableName } = await seed();
    const plain = (await store.list({ limit: 2 })).nextCursor ?? "";
    const tagged = (await store.list({ limit: 2, tags: ["even"] })).nextCursor ?? "";
    const [payload = "", mac = ""] = plain.split(".");
    const [otherPayload = ""] = tagged.split(".");
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), sk: "M#0" }),
    ).toString("base64url");
    const flipped = `${payload.slice(0, -1)}${payload.endsWith("A") ? "B" : "A"}.${mac}`;
    const otherSecret = createDynamoDbStore({
      client: database.client,
      tableName,
      cursorSecret: "another secret",
    });
    const foreignSigned = (await otherSecret.list({ limit: 2 })).nextCursor ?? "";

    const invalid = {
      kind: "invalid_cursor" as const,
      message:
        "The cursor is not valid: pass the nextCursor of the previous page unchanged, or omit it to start over.",
    };
    const attempts = {
      "payload edited": `${forgedPayload}.${mac}`,
      "one character flipped": flipped,
      "payload of another cursor": `${otherPayload}.${mac}`,
      "signature truncated": `${payload}.${mac.slice(0, 10)}`,
      "signature missing": payload,
      "extra part": `${plain}.x`,
      "not base64url": "!!!.###",
      "made with another secret": foreignSigned,
      empty: "",
      garbage: "hello",
      "very long": `${"A".repeat(5_000)}.${mac}`,
    };
    for (const [what, cursor] of Object.entries(attempts)) {
      await rejectsWith(store.list({ limit: 2, cursor }), invalid).catch((error: unknown) => {
        throw new Error(`${what}: ${String(error)}`);
      });
    }
    await rejectsWith(store.list({ limit: 2, cursor: tagged }), {
      kind: "invalid_cursor",
      message:
        "The cursor belongs to a listing with different tags: repeat the tags of the first page, or omit the cursor to start over.",
    });
    await rejectsWith(store.list({ limit: 2, cursor: plain, tags: ["even"] }), {
      kind: "invalid_cursor",
      message:
        "The cursor belongs to a listing with different tags: repeat the tags of the first page, or omit the cursor to start over.",
    });
    // The same tags in another order and case are the same listing.
    const twoTags = (await store.list({ limit: 1, tags: ["three", "even"] })).nextCursor ?? "";
    assert.equal(
      (await store.list({ limit: 1, tags: ["EVEN", "three"], cursor: twoTags })).memories.length,
      1,
    );
  });

  test("a limit that is not a positive integer is a programming error, not a StoreError", async () => {
    const { store } = await freshStore();
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(store.list({ limit }), RangeError);
    }
  });
});

describe("all", () => {
  test("yields every memory with its terms, following Query pages to the end", async () => {
    const { store, clock } = await freshStore();
    // 12 memories of ~100 KB are more than one 1 MB Query page.
    const expected = [];
    for (let i = 0; i < 12; i++) {
      const content = `memory ${i} ${"lorem ipsum ".repeat(8_500)}`;
      const { memory } = await store.create(content, [`n${i}`]);
      expected.unshift({ ...memory, terms: analyze(`${content}\nn${i}`) });
      clock.advance();
    }
    assert.deepStrictEqual(await store.all(), expected);
  });

  test("of an empty store yields nothing", async () => {
    const { store } = await freshStore();
    assert.deepStrictEqual(await store.all(), []);
  });
});
