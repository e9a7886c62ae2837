// The search index as it must be, recomputed here from the memories alone (analysed terms, lead-weighted
// frequencies, tags, lengths) and compared with every index entry actually in the table (format 2: entries are
// attributes of a term's or tag's bucket items, named by memory id).
import assert from "node:assert/strict";
import { type AttributeValue, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { bucketOf, INDEX_PARTITION } from "../../src/dynamodb/search-index.ts";
import type { Memory, MemoryStore, SearchResult } from "../../src/memory/memory-store.ts";
import { analyze } from "../../src/search/analyze.ts";
import { rankMemories } from "../../src/search/rank.ts";

type Item = Record<string, AttributeValue>;

async function scanAll(client: DynamoDBClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/**
 * Asserts that the index matches the memories: for every indexed memory that is not pending, exactly its
 * postings (term -> lead-weighted frequency and length) and tag entries; statistics summing to the count and
 * total length of indexed memories; nothing for memories that are gone. A pending memory (marker present)
 * may have any leftover entries: search scores it from its item, and settle or `make reindex` cleans up.
 * Returns the ids still pending; `pending: "none"` asserts there are none.
 */
export async function assertIndexConsistent(
  client: DynamoDBClient,
  tableName: string,
  options: { pending: "allowed" | "none" } = { pending: "none" },
): Promise<{ pending: string[]; memories: number }> {
  const items = await scanAll(client, tableName);
  const pending = new Set<string>();
  const expected = new Map<string, string>();
  let docs = 0;
  let length = 0;
  let statsDocs = 0;
  let statsLength = 0;
  let memories = 0;
  for (const item of items) {
    const pk = item.pk?.S ?? "";
    const sk = item.sk?.S ?? "";
    if (pk === INDEX_PARTITION && sk.startsWith("P#")) pending.add(sk.slice(2));
    if (pk === INDEX_PARTITION && sk.startsWith("S#")) {
      statsDocs += Number(item.docs?.N);
      statsLength += Number(item.length?.N);
    }
  }
  for (const item of items) {
    if (item.pk?.S !== "MEM" || !(item.sk?.S ?? "").startsWith("M#")) continue;
    memories += 1;
    const id = item.id?.S ?? "";
    const tags = (item.tags?.L ?? []).map((tag) => tag.S ?? "");
    const terms = analyze(`${item.content?.S ?? ""}\n${tags.join(" ")}`);
    assert.equal(item.terms?.S, terms.join(" "), `stored terms of ${id}`);
    assert.equal(item.indexed?.N, "2", `memory ${id} is indexed in format 2`);
    assert.equal(item.pending !== undefined, pending.has(id), `pending flag and marker of ${id} agree`);
    docs += 1;
    length += terms.length;
    if (pending.has(id)) continue;
    const frequencies = new Map<string, number>();
    terms.forEach((term, position) => {
      frequencies.set(term, (frequencies.get(term) ?? 0) + 1 + (position === 0 ? 2 : position === 1 ? 1 : 0));
    });
    const bucket = bucketOf(id);
    for (const [term, tf] of frequencies)
      expected.set(`T2#${term}#${bucket} E ${id}`, `S ${tf} ${terms.length}`);
    for (const tag of tags) expected.set(`G2#${tag}#${bucket} E ${id}`, `N ${terms.length}`);
  }
  const actual = new Map<string, string>();
  for (const item of items) {
    const pk = item.pk?.S ?? "";
    const sk = item.sk?.S ?? "";
    if (!(pk.startsWith("T2#") || pk.startsWith("G2#"))) continue;
    for (const [id, value] of Object.entries(item)) {
      if (id === "pk" || id === "sk" || pending.has(id)) continue;
      actual.set(`${pk} ${sk} ${id}`, value.S !== undefined ? `S ${value.S}` : `N ${value.N}`);
    }
  }
  assert.deepStrictEqual(
    [...actual].sort(([a], [b]) => (a < b ? -1 : 1)),
    [...expected].sort(([a], [b]) => (a < b ? -1 : 1)),
    "index entries",
  );
  assert.deepStrictEqual({ docs: statsDocs, length: statsLength }, { docs, length }, "corpus statistics");
  if (options.pending === "none") assert.deepStrictEqual([...pending], [], "pending memories");
  return { pending: [...pending], memories };
}

/** What a search must answer: BM25 over every memory (filtered by tags), by rankMemories. */
export async function expectedSearch(
  store: MemoryStore,
  query: string,
  limit: number,
  tags: string[] = [],
): Promise<SearchResult> {
  const docs = (await store.all()).filter((memory) => tags.every((tag) => memory.tags.includes(tag)));
  const hits = rankMemories(query, docs, limit).map(({ memory, score }) => ({ memory, score }));
  return { hits, searched: docs.length };
}

/**
 * A memory item as a version before the index's format 2 wrote it: `extra` adds what that version added (a
 * format-1 writer's `indexed` and `pending`); without it, a memory from before the index.
 */
export function olderMemoryItem(memory: Memory, extra: Item = {}): Item {
  return {
    pk: { S: "MEM" },
    sk: { S: `M#${memory.id}` },
    id: { S: memory.id },
    content: { S: memory.content },
    tags: { L: memory.tags.map((tag) => ({ S: tag })) },
    createdAt: { S: memory.createdAt },
    updatedAt: { S: memory.updatedAt },
    version: { N: String(memory.version) },
    terms: { S: analyze(`${memory.content}\n${memory.tags.join(" ")}`).join(" ") },
    contentHash: { S: `hash-${memory.id}` },
    ...extra,
  };
}
