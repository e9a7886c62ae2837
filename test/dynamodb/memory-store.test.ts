// Pins down the DynamoDB memory store against dynalite (behind the TransactWriteItems front, never mocks):
// verbatim round trips, dedupe of identical content under races, optimistic updates, content guards,
// newest-first pagination with tag filters, tamper-evident cursors, all(), ensureTable, and that the
// DynamoDB commands the store sends are the ones it declares (for the IAM policy).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import {
  createDynamoDbClient,
  createDynamoDbStore,
  DYNAMODB_COMMANDS_USED,
  DYNAMODB_IAM_ACTIONS,
  DYNAMODB_SETUP_COMMANDS,
  DYNAMODB_STORE_SOURCES,
  ensureTable,
  SDK_LOGGER_MIDDLEWARE,
} from "../../src/dynamodb/memory-store.ts";
import {
  type Memory,
  type MemoryStore,
  StoreError,
  type StoreErrorKind,
} from "../../src/memory/memory-store.ts";
import { analyze } from "../../src/search/analyze.ts";
import { createTestStore, type Dynalite, startDynalite, TEST_CURSOR_SECRET } from "../helpers/dynalite.ts";

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const START = "2026-03-01T10:00:00.000Z";

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

/** A clock that moves only when told, so timestamps in expected objects are known. */
function fakeClock(start = START): { now: () => Date; advance: (ms?: number) => string } {
  let time = Date.parse(start);
  return {
    now: () => new Date(time),
    advance: (ms = 1_000) => {
      time += ms;
      return new Date(time).toISOString();
    },
  };
}

async function freshStore(): Promise<{
  store: MemoryStore;
  tableName: string;
  clock: ReturnType<typeof fakeClock>;
}> {
  const clock = fakeClock();
  const { store, tableName } = await createTestStore(database, { now: clock.now });
  return { store, tableName, clock };
}

/** Every item of the memory partition, sort key and attributes, in sort key order: what the store really
 * wrote for memories and guards (the search index has partitions of its own: test/dynamodb/search-index.test.ts). */
async function rawItems(tableName: string): Promise<Record<string, unknown>[]> {
  const output = await database.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return (output.Items ?? [])
    .filter((item) => item.pk?.S === "MEM")
    .map((item) =>
      Object.fromEntries(Object.entries(item).map(([name, value]) => [name, value.S ?? value.N ?? value.L])),
    )
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

async function guardsOf(tableName: string): Promise<unknown[]> {
  return (await rawItems(tableName))
    .filter((item) => String(item.sk).startsWith("H#"))
    .map((item) => item.memoryId);
}

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

async function rejectsWith(
  promise: Promise<unknown>,
  expected: { kind: StoreErrorKind; message: string; existingId?: string },
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.deepStrictEqual(
      { kind: error.kind, message: error.message, existingId: error.existingId },
      { existingId: undefined, ...expected },
    );
    return true;
  });
}

function memoryAt(
  id: string,
  content: string,
  tags: string[],
  createdAt: string,
  updatedAt = createdAt,
  version = 1,
): Memory {
  return { id, content, tags, createdAt, updatedAt, version };
}

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

describe("ensureTable", () => {
  test("creates the table from table.json once and is a no-op afterwards", async () => {
    const tableName = `ensure-${Date.now()}`;
    await ensureTable(database.client, tableName);
    await ensureTable(database.client, tableName);
    await Promise.all([ensureTable(database.client, tableName), ensureTable(database.client, tableName)]);
    const { Table } = await database.client.send(new DescribeTableCommand({ TableName: tableName }));
    assert.deepStrictEqual(
      {
        status: Table?.TableStatus,
        keys: Table?.KeySchema,
        attributes: Table?.AttributeDefinitions,
        billing: Table?.BillingModeSummary?.BillingMode,
      },
      {
        status: "ACTIVE",
        keys: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        attributes: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        billing: "PAY_PER_REQUEST",
      },
    );
    const store = createDynamoDbStore({
      client: database.client,
      tableName,
      cursorSecret: TEST_CURSOR_SECRET,
    });
    assert.equal((await store.create("works", [])).duplicate, false);
  });
});

/** The source of every file of src/dynamodb/ that sends commands for the memory store. */
async function storeSource(): Promise<string> {
  const files = await Promise.all(
    DYNAMODB_STORE_SOURCES.map((file) =>
      readFile(new URL(`../../src/dynamodb/${file}`, import.meta.url), "utf8"),
    ),
  );
  return files.join("\n");
}

describe("declared commands", () => {
  test("DYNAMODB_COMMANDS_USED and DYNAMODB_SETUP_COMMANDS are exactly the commands the store's files send", async () => {
    const source = await storeSource();
    const sent = [...new Set([...source.matchAll(/new (\w+)Command\(/g)].map((match) => match[1]))].sort();
    assert.deepStrictEqual(sent, [...DYNAMODB_COMMANDS_USED, ...DYNAMODB_SETUP_COMMANDS].sort());
  });

  test("DYNAMODB_IAM_ACTIONS covers the commands and the kinds of transaction action in the source", async () => {
    const source = await storeSource();
    const transactionKinds = [...source.matchAll(/\b(Put|Update|Delete|ConditionCheck): /g)].map((match) =>
      match[1] === "ConditionCheck" ? "ConditionCheckItem" : `${match[1]}Item`,
    );
    const plain = DYNAMODB_COMMANDS_USED.filter((command) => command !== "TransactWriteItems");
    const expected = [...new Set([...plain, ...transactionKinds])]
      .map((action) => `dynamodb:${action}`)
      .sort();
    assert.deepStrictEqual([...DYNAMODB_IAM_ACTIONS], expected);
  });
});

describe("client", () => {
  test("createDynamoDbClient drops the SDK's logger middleware, which copies every answer for a no-op logger", async () => {
    const info: unknown[] = [];
    const client = createDynamoDbClient({
      region: "us-east-1",
      endpoint: database.endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    // A client built the SDK's way has the middleware: the name we remove is the one the SDK uses.
    const stock = new DynamoDBClient({ region: "us-east-1" });
    assert.ok(
      stock.middlewareStack.identify().some((entry) => entry.startsWith(`${SDK_LOGGER_MIDDLEWARE} `)),
    );
    assert.ok(
      !client.middlewareStack.identify().some((entry) => entry.startsWith(`${SDK_LOGGER_MIDDLEWARE} `)),
    );
    // And the client still works: a logger set afterwards is never handed a redacted copy of a command.
    client.config.logger = { ...client.config.logger, info: (entry: unknown) => info.push(entry) };
    const { tableName } = await createTestStore(database);
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: "MEM" } },
      }),
    );
    assert.deepStrictEqual([page.Count, info], [0, []]);
    client.destroy();
    stock.destroy();
  });
});
