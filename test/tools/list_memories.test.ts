// Pins down list_memories as the model sees it, through the real Lambda handler against dynalite: newest
// first to the end through opaque cursors, filtered by every tag, long contents cut at a grapheme boundary,
// a bad cursor as a clear isError, and a full page far below Claude's tool-output limit.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type StoredMemory, useToolClient } from "../helpers/tools.ts";

const { call, callRaw, fail, create, listAll } = useToolClient();

/** `cursor` with one byte of its signed payload changed: the signature no longer matches. */
function tamperedPayload(cursor: string): string {
  const [payload = "", mac = ""] = cursor.split(".");
  const bytes = Buffer.from(payload, "base64url");
  const at = bytes.indexOf("M#"); // inside the sort key the cursor points at
  assert.ok(at >= 0, `no sort key in ${bytes.toString()}`);
  bytes[at] = "N".charCodeAt(0);
  return `${bytes.toString("base64url")}.${mac}`;
}

describe("list_memories", () => {
  test("pages newest first to the end with opaque cursors, and filters by every tag", async () => {
    const tag = `paging-${Date.now()}`;
    const created: StoredMemory[] = [];
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
    const created = await create(content, [tag]);
    const [listed] = await listAll([tag]);
    assert.deepEqual(
      listed,
      { ...created, content: "Ä".repeat(299), contentTruncated: true },
      "a grapheme is never split",
    );
    assert.equal((await call("get_memory", { id: created.id })).memory.content, content);
  });

  test("a forged, tampered or foreign cursor is a clear error, never a crash", async () => {
    const tag = `cursor-${Date.now()}`;
    for (let i = 0; i < 3; i++) await create(`Cursor memory ${i}.`, [tag]);
    const page = await call("list_memories", { limit: 1, tags: [tag] });
    const cursor = page.nextCursor ?? "";
    assert.notEqual(cursor, "", "a page of 1 out of 3 has a next cursor");
    const invalid =
      "The cursor is not valid: pass the nextCursor of the previous page unchanged, or omit it to start over.";
    const foreign =
      "The cursor belongs to a listing with different tags: repeat the tags of the first page, or omit the cursor to start over.";
    for (const [what, args, message] of [
      ["garbage", { cursor: "not-a-cursor", tags: [tag] }, invalid],
      ["tampered", { cursor: tamperedPayload(cursor), tags: [tag] }, invalid],
      ["of another tag filter", { cursor, tags: ["other-tag"] }, foreign],
      ["unsigned", { cursor: Buffer.from('{"v":1,"sk":"M#0"}').toString("base64url"), tags: [tag] }, invalid],
    ] as const) {
      assert.equal(await fail("list_memories", args), message, what);
    }
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
