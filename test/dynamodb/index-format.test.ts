// Pins down the move from the index's format 1 (an item per term and memory, statistics in partition IDX) to
// format 2 (a term's postings in 16 bucket items, IDX2): a table indexed by the previous version answers every
// search as before from its first search on, searches alone or `make reindex` index its memories again (one
// left pending by format 1 included), and a write of this version to a format-1 memory counts it in format 2.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { type AttributeValue, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { reindexDynamoDbTable } from "../../src/dynamodb/memory-store.ts";
import type { Memory } from "../../src/memory/memory-store.ts";
import { analyze } from "../../src/search/analyze.ts";
import { termFrequencies } from "../../src/search/rank.ts";
import { createTestStore, type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import { assertIndexConsistent, expectedSearch, olderMemoryItem } from "../helpers/search-index.ts";

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

// Our own fixture; its shape is checked by test/search/quality.test.ts.
const memories = JSON.parse(
  readFileSync(new URL("../fixtures/search/memories.json", import.meta.url), "utf8"),
) as Memory[];
const questions = (
  JSON.parse(readFileSync(new URL("../fixtures/search/questions.json", import.meta.url), "utf8")) as {
    question: string;
  }[]
).map((entry) => entry.question); // the same fixture

/**
 * Writes `count` fixture memories as the version with index format 1 left them: memory items marked
 * `indexed = 1`, a posting item per term and memory, a tag item per tag and memory, one statistics shard,
 * the META marker; the memory `pendingId` is left pending (flag and marker, no postings).
 */
async function writeFormatOne(tableName: string, count: number, pendingId?: string): Promise<Memory[]> {
  const written = memories.slice(0, count);
  const put = (item: Record<string, AttributeValue>) =>
    database.client.send(new PutItemCommand({ TableName: tableName, Item: item }));
  let docs = 0;
  let length = 0;
  for (const memory of written) {
    const terms = analyze(`${memory.content}\n${memory.tags.join(" ")}`);
    const pending = memory.id === pendingId;
    await put(olderMemoryItem(memory, { indexed: { N: "1" }, ...(pending ? { pending: { N: "1" } } : {}) }));
    docs += 1;
    length += terms.length;
    if (pending) {
      await put({ pk: { S: "IDX" }, sk: { S: `P#${memory.id}` }, token: { S: "format-1" } });
      continue;
    }
    const dl = { N: String(terms.length) };
    for (const [term, tf] of termFrequencies(terms)) {
      await put({ pk: { S: `T#${term}` }, sk: { S: memory.id }, tf: { N: String(tf) }, dl });
    }
    for (const tag of memory.tags) await put({ pk: { S: `G#${tag}` }, sk: { S: memory.id }, dl });
  }
  await put({
    pk: { S: "IDX" },
    sk: { S: "S#00" },
    docs: { N: String(docs) },
    length: { N: String(length) },
    writes: { N: String(docs) },
  });
  await put({ pk: { S: "IDX" }, sk: { S: "META" }, token: { S: "built" } });
  return written;
}

describe("a table indexed in format 1", () => {
  test("searches answer as before from the first one on, and migrate it 25 memories at a time", async () => {
    const { store, tableName } = await createTestStore(database, { scanAtMost: 0 });
    const written = await writeFormatOne(tableName, 40, memories[3]?.id);
    const query = questions[0] ?? "";
    const expected = await expectedSearch(store, query, 10);
    assert.equal(expected.searched, 40);
    assert.ok(expected.hits.length > 0, "the question finds something");
    // 25 memories, the other 15, then the index is marked built and read.
    for (let i = 0; i < 4; i++) assert.deepStrictEqual(await store.search(query, { limit: 10 }), expected);
    await assertIndexConsistent(database.client, tableName);
    assert.deepStrictEqual(await reindexDynamoDbTable({ client: database.client, tableName }), {
      indexed: 0,
      settled: 0,
    });
    assert.equal((await store.all()).length, written.length);
  });

  test("`make reindex` migrates it, counting once a memory this version wrote first", async () => {
    const { store, tableName } = await createTestStore(database, { scanAtMost: 0 });
    const written = await writeFormatOne(tableName, 60, memories[10]?.id);
    const target = written[20] as Memory; // 60 were written
    const { memory: updated } = await store.update(target.id, { content: `${target.content} Also: kayak.` });
    const pendingUpdated = written[10] as Memory;
    await store.update(pendingUpdated.id, { tags: [...pendingUpdated.tags, "moved"] });

    assert.deepStrictEqual(await reindexDynamoDbTable({ client: database.client, tableName }), {
      indexed: 58,
      settled: 0,
    });
    await assertIndexConsistent(database.client, tableName);
    for (const query of [...questions.slice(0, 8), "kayak"]) {
      assert.deepStrictEqual(
        await store.search(query, { limit: 10 }),
        await expectedSearch(store, query, 10),
      );
    }
    assert.deepStrictEqual(
      (await store.search("kayak", { limit: 10 })).hits.map((hit) => hit.memory),
      [updated],
    );
    // The memory format 1 left pending, retagged by this version: found through format 2's tag members.
    assert.deepStrictEqual(
      (await store.search("paramedic Dublin", { limit: 10, tags: ["moved"] })).hits.map(
        (hit) => hit.memory.id,
      ),
      [pendingUpdated.id],
    );
  });
});
