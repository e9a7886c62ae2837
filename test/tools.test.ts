// Pins down what each memory tool does, seen by the model, through the real Lambda handler against
// dynalite: whole results checked against the output schemas, every error path as an isError result
// with an actionable message, limits refused with nothing stored, unicode round trips, pagination to the
// end, bounded answers and concurrent writes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { output } from "../src/generated/output-validators.js";
import type { Memory } from "../src/memory/memory-store.ts";
import { functionUrlEvent } from "./fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "./helpers/lambda.ts";

let lambda: LambdaUnderTest;
before(async () => {
  lambda = await loadLambda();
});
after(async () => {
  await lambda.stop();
});

interface ToolResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

let nextId = 1;
async function callRaw(name: string, args: unknown): Promise<{ result: ToolResult; body: string }> {
  const body = { jsonrpc: "2.0", id: nextId++, method: "tools/call", params: { name, arguments: args } };
  const response = await lambda.invoke(functionUrlEvent({ body }));
  assert.equal(response.status, 200, response.body);
  return { result: (response.json as { result: ToolResult }).result, body: response.body };
}

/** A successful call: checks the text block equals the structured content and the output schema holds. */
async function call<T = Record<string, unknown>>(name: keyof typeof output, args: unknown): Promise<T> {
  const { result } = await callRaw(name, args);
  assert.notEqual(result.isError, true, result.content[0]?.text);
  assert.deepEqual(JSON.parse(result.content[0]?.text ?? ""), result.structuredContent);
  assert.ok(output[name](result.structuredContent), JSON.stringify(output[name].errors));
  return result.structuredContent as T;
}

/** A failing call: returns the message the model reads. */
async function fail(name: string, args: unknown): Promise<string> {
  const { result } = await callRaw(name, args);
  assert.equal(result.isError, true, JSON.stringify(result));
  assert.equal(result.structuredContent, undefined);
  assert.equal(result.content.length, 1);
  return result.content[0]?.text ?? "";
}

async function create(content: string, tags?: string[]): Promise<Memory> {
  const args = tags === undefined ? { content } : { content, tags };
  return (await call<{ memory: Memory }>("create_memory", args)).memory;
}

async function listAll(tags?: string[], limit = 50): Promise<Memory[]> {
  const all: Memory[] = [];
  let cursor: string | undefined;
  do {
    const args: Record<string, unknown> = { limit };
    if (cursor) args.cursor = cursor;
    if (tags) args.tags = tags;
    const page = await call<{ memories: Memory[]; nextCursor?: string }>("list_memories", args);
    all.push(...page.memories);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

describe("create_memory", () => {
  test("stores content verbatim with normalised tags and a fresh ULID", async () => {
    const before = Date.now();
    const result = await call<{ memory: Memory; duplicate: boolean }>("create_memory", {
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
    assert.ok(
      Date.parse(memory.createdAt) >= before - 1000 && Date.parse(memory.createdAt) <= Date.now() + 1000,
    );
  });

  test("identical content after whitespace normalisation is a duplicate, never stored twice", async () => {
    const first = await create("My passport expires on 2031-05-02.");
    const again = await call<{ memory: Memory; duplicate: boolean }>("create_memory", {
      content: "My   passport expires\non 2031-05-02. ",
      tags: ["travel"],
    });
    assert.deepEqual(again, { memory: first, duplicate: true });
  });

  test("20 identical creates racing store exactly one memory", async () => {
    const content = `Race ${Date.now()}: my bike is a blue Brompton.`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        call<{ memory: Memory; duplicate: boolean }>("create_memory", { content }),
      ),
    );
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
    const { memory } = await call<{ memory: Memory }>("get_memory", { id: created.id });
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
    assert.equal((await call<{ memory: Memory }>("get_memory", { id: created.id })).memory.content, content);
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

describe("get_memory and delete_memory", () => {
  test("get returns the memory whole; ids are case-insensitive", async () => {
    const created = await create(`Whole ${"long text ".repeat(200)}`);
    assert.deepEqual(await call("get_memory", { id: created.id.toLowerCase() }), { memory: created });
  });

  test("an unknown id is an isError result that says what to do", async () => {
    const id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    assert.equal(
      await fail("get_memory", { id }),
      `No memory has id ${id}. Use search_memories or list_memories to find the right id.`,
    );
    assert.match(await fail("delete_memory", { id }), new RegExp(`^No memory has id ${id}`));
    assert.match(await fail("update_memory", { id, content: "x" }), new RegExp(`^No memory has id ${id}`));
  });

  test("a malformed id is an argument error", async () => {
    assert.equal(
      await fail("get_memory", { id: "42" }),
      'Invalid arguments for get_memory: "id": must be a memory id: 26 letters and digits as returned by the other tools',
    );
  });

  test("delete returns what was removed, and the content can be stored again afterwards", async () => {
    const created = await create("Temporary: parking on level 3, spot 42.");
    assert.deepEqual(await call("delete_memory", { id: created.id }), { deleted: created });
    assert.match(await fail("get_memory", { id: created.id }), /^No memory has id/);
    const recreated = await call<{ memory: Memory; duplicate: boolean }>("create_memory", {
      content: "Temporary: parking on level 3, spot 42.",
    });
    assert.equal(recreated.duplicate, false);
    assert.notEqual(recreated.memory.id, created.id);
  });
});

describe("update_memory", () => {
  test("changes content and tags, bumps the version and keeps createdAt", async () => {
    const created = await create("I work at Initech as an analyst.", ["work"]);
    const { memory, changed } = await call<{ memory: Memory; changed: boolean }>("update_memory", {
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
    const found = await call<{ results: { id: string }[] }>("search_memories", {
      query: "where do I work now?",
    });
    assert.equal(found.results[0]?.id, created.id, "search sees the new content");
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
    const { memory } = await call<{ memory: Memory }>("get_memory", { id: created.id });
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
    const { memory } = await call<{ memory: Memory }>("get_memory", { id: created.id });
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
    const winner = winners[0]?.result.structuredContent as { memory: Memory }; // one success, checked above
    const { memory } = await call<{ memory: Memory }>("get_memory", { id: created.id });
    assert.deepEqual(memory, winner.memory);
    assert.equal(memory.version, 2);
  });

  test("content identical to another memory is refused, naming that memory", async () => {
    const one = await create("Favourite colour: green.");
    const two = await create("Favourite colour: teal.");
    const message = await fail("update_memory", { id: two.id, content: "Favourite  colour: green." });
    assert.ok(message.includes(one.id), message);
    assert.equal(
      (await call<{ memory: Memory }>("get_memory", { id: two.id })).memory.content,
      "Favourite colour: teal.",
    );
  });

  test("an update with nothing to change is refused; one that changes nothing writes nothing", async () => {
    const created = await create("Shoe size 43.", ["clothes"]);
    assert.equal(
      await fail("update_memory", { id: created.id }),
      'Invalid arguments for update_memory: give "content", "tags" or both to change.',
    );
    assert.deepEqual(
      await call("update_memory", { id: created.id, content: "Shoe size 43.", tags: ["Clothes"] }),
      {
        memory: created,
        changed: false,
      },
    );
  });
});

describe("list_memories", () => {
  test("pages newest first to the end with opaque cursors, and filters by every tag", async () => {
    const tag = `paging-${Date.now()}`;
    const created: Memory[] = [];
    for (let i = 0; i < 23; i++)
      created.push(await create(`Paging memory number ${i}.`, i % 3 === 0 ? [tag, "third"] : [tag]));
    const expected = created.map((memory) => ({ ...memory, contentTruncated: false })).reverse();
    for (const limit of [1, 5, 23, 50]) {
      assert.deepEqual(await listAll([tag], limit), expected, `limit ${limit}`);
    }
    const thirds = await listAll([tag, "third"], 2);
    assert.deepEqual(
      thirds.map((memory) => memory.id),
      expected.filter((memory) => memory.tags.includes("third")).map((memory) => memory.id),
    );
  });

  test("long contents are cut to 300 characters and marked; get_memory has them whole", async () => {
    const tag = `long-${Date.now()}`;
    const content = `${"Ä".repeat(299)}👩‍👩‍👧 and more`;
    await create(content, [tag]);
    const [listed] = await listAll([tag]);
    assert.equal(listed?.content, "Ä".repeat(299), "a grapheme is never split");
    assert.equal((listed as unknown as { contentTruncated: boolean }).contentTruncated, true);
  });

  test("a forged, tampered or foreign cursor is a clear error, never a crash", async () => {
    const tag = `cursor-${Date.now()}`;
    for (let i = 0; i < 3; i++) await create(`Cursor memory ${i}.`, [tag]);
    const page = await call<{ nextCursor: string }>("list_memories", { limit: 1, tags: [tag] });
    const tampered = page.nextCursor.slice(0, -2) + (page.nextCursor.endsWith("A") ? "BB" : "AA");
    for (const [cursor, tags] of [
      ["not-a-cursor", [tag]],
      [tampered, [tag]],
      [page.nextCursor, ["other-tag"]],
      [Buffer.from('{"v":1,"sk":"M#0"}').toString("base64url"), [tag]],
    ] as const) {
      const message = await fail("list_memories", { cursor, tags });
      assert.match(message, /cursor/i, message);
    }
  });
});

describe("search_memories", () => {
  test("finds the memory a natural question is about, best first, with score and snippet", async () => {
    const tag = `search-${Date.now()}`;
    const birthday = await create("My daughter Mia was born on 14 March 2019.", [tag]);
    await create("My son Leo's favourite dinosaur is the stegosaurus.", [tag]);
    await create("The dog's vet appointment is every March.", [tag]);
    const { results, searched } = await call<{
      results: { id: string; score: number; snippet: string }[];
      searched: number;
    }>("search_memories", { query: "When was my daughter born?", tags: [tag] });
    assert.equal(searched, 3);
    assert.equal(results[0]?.id, birthday.id);
    assert.equal(results[0]?.snippet, "My daughter Mia was born on 14 March 2019.");
    assert.ok(results.every((result, i) => i === 0 || (results[i - 1]?.score ?? 0) >= result.score));
  });

  test("accents and case do not matter, and nothing relevant means no results", async () => {
    const tag = `accents-${Date.now()}`;
    const cafe = await create("Our favourite CAFÉ is Café Señor in Zürich.", [tag]);
    const found = await call<{ results: { id: string }[] }>("search_memories", {
      query: "cafe senor zurich",
      tags: [tag],
    });
    assert.deepEqual(
      found.results.map((result) => result.id),
      [cafe.id],
    );
    assert.deepEqual(await call("search_memories", { query: "quantum chromodynamics", tags: [tag] }), {
      results: [],
      searched: 1,
    });
    assert.deepEqual(await call("search_memories", { query: "the of and", tags: [tag] }), {
      results: [],
      searched: 1,
    });
  });

  test("limit bounds the results", async () => {
    const tag = `limit-${Date.now()}`;
    for (let i = 0; i < 6; i++) await create(`Limit memory about apples number ${i}.`, [tag]);
    const { results } = await call<{ results: unknown[] }>("search_memories", {
      query: "apples",
      tags: [tag],
      limit: 4,
    });
    assert.equal(results.length, 4);
    assert.match(await fail("search_memories", { query: "apples", limit: 26 }), /"limit": must be <= 25/);
  });
});

describe("bounded answers", () => {
  test("a full list page of maximal memories stays far below Claude's tool-output limit", async () => {
    const tag = `big-${Date.now()}`;
    for (let i = 0; i < 50; i++) {
      const tags = [tag, ...Array.from({ length: 9 }, (_, j) => `${"t".repeat(38)}${j}`)];
      await create(`${i} ${"漢字かなカナ".repeat(1_666)}`, tags);
    }
    const { body } = await callRaw("list_memories", { limit: 50, tags: [tag] });
    assert.ok(body.length < 100_000, `answer is ${body.length} characters`);
  });
});
