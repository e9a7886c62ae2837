// The search index as it must be, recomputed here from the memories alone (analysed terms, lead-weighted
// frequencies, tags, lengths) and compared with every index item actually in the table.
import assert from "node:assert/strict";
import { type AttributeValue, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { analyze } from "../../src/search/analyze.ts";

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
    if (pk === "IDX" && sk.startsWith("P#")) pending.add(sk.slice(2));
    if (pk === "IDX" && sk.startsWith("S#")) {
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
    assert.ok(item.indexed !== undefined, `memory ${id} is indexed`);
    assert.equal(item.pending !== undefined, pending.has(id), `pending flag and marker of ${id} agree`);
    docs += 1;
    length += terms.length;
    if (pending.has(id)) continue;
    const frequencies = new Map<string, number>();
    terms.forEach((term, position) => {
      frequencies.set(term, (frequencies.get(term) ?? 0) + 1 + (position === 0 ? 2 : position === 1 ? 1 : 0));
    });
    for (const [term, tf] of frequencies) expected.set(`T#${term} ${id}`, `tf=${tf} dl=${terms.length}`);
    for (const tag of tags) expected.set(`G#${tag} ${id}`, `dl=${terms.length}`);
  }
  const actual = new Map<string, string>();
  for (const item of items) {
    const pk = item.pk?.S ?? "";
    const sk = item.sk?.S ?? "";
    if (!(pk.startsWith("T#") || pk.startsWith("G#")) || pending.has(sk)) continue;
    const value = pk.startsWith("T#") ? `tf=${item.tf?.N} dl=${item.dl?.N}` : `dl=${item.dl?.N}`;
    actual.set(`${pk} ${sk}`, value);
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
