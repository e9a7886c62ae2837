// The tables bench/search-scale.ts measures on: memories drawn from the search fixture, filled through a
// design's own store (bench/fill.ts), checked by a first search, and the fill memories spread over the table
// that its updates and deletes target, each call its own.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ensureTable } from "../src/dynamodb/memory-store.ts";
import type { Memory, MemoryStore } from "../src/memory/memory-store.ts";
import { TEST_CURSOR_SECRET } from "../test/helpers/dynalite.ts";
import { fillThroughStore } from "./fill.ts";
import { type Design, type Fill, loadAverage } from "./search-scale-report.ts";
import { ROOT } from "./subjects.ts";

export type StoreModule = { createDynamoDbStore: (options: unknown) => MemoryStore }; // our store module, at either version

interface FixtureMemory {
  content: string;
  tags: string[];
}
const fixture = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/search/memories.json"), "utf8"),
) as FixtureMemory[]; // our fixture: memories

/** Memory `index` of a table: the fixture cycled and numbered, so every content is distinct. */
function fixtureMemory(index: number): FixtureMemory {
  const memory = fixture[index % fixture.length] as FixtureMemory; // index modulo a non-empty array
  return { content: `${memory.content} (${index})`, tags: memory.tags };
}

/** A fill memory that an update or a delete may target: its id, and its index for its content. */
export interface Target {
  id: string;
  index: number;
}

/** A filled table, and what the run has done to it so far. */
export interface Table {
  tableName: string;
  /** Fill memories spread evenly over the table, in fill order; design d of D takes every D-th from d. */
  targets: Target[];
  /** Memories stored now: what every search must report having ranked. */
  stored: number;
  /** The index of the next memory written beyond the fill (see targetsFor). */
  nextIndex: number;
}

/**
 * Fills a fresh table with `size` memories through the store of `storeModule` (bench/fill.ts), builds the
 * index with a first search, and checks that a search ranks them all. Keeps the ids of `targetCount` fill
 * memories spread evenly over the table, for updates and deletes. Records the fill in `fills`.
 */
export async function fill(
  client: DynamoDBClient,
  size: number,
  storeModule: string,
  targetCount: number,
  fills: Fill[],
): Promise<Table> {
  const tableName = `scale-${size}-${randomUUID()}`;
  await ensureTable(client, tableName);
  const module = (await import(storeModule)) as StoreModule;
  const storeOn = (client: DynamoDBClient): MemoryStore =>
    module.createDynamoDbStore({ client, tableName, cursorSecret: TEST_CURSOR_SECRET });
  const picks = new Set(
    Array.from({ length: Math.min(size, targetCount) }, (_, k) =>
      Math.floor(((k + 0.5) * size) / Math.min(size, targetCount)),
    ),
  );
  const targets: Target[] = [];
  const report = await fillThroughStore({
    client: client,
    tableName,
    storeOn,
    size,
    memory: fixtureMemory,
    created(index, id) {
      if (picks.has(index)) targets.push({ id, index });
    },
  });
  const store = storeOn(client);
  // An index over a table whose every memory is indexed is built at its first search.
  if (typeof store.search === "function") {
    await store.search("warm", { limit: 1 });
    const { searched } = await store.search("warm", { limit: 1 });
    if (searched !== size) throw new Error(`after the fill a search ranked ${searched} of ${size} memories`);
  } else {
    const count = (await store.all()).length;
    if (count !== size) throw new Error(`after the fill the table holds ${count} of ${size} memories`);
  }
  const seconds = Math.round(report.seconds * 10) / 10;
  fills.push({ memories: size, items: report.items, seconds, loadAverage: loadAverage() });
  console.error(
    `fill of ${size.toLocaleString("en")}: ${report.items.toLocaleString("en")} items in ${seconds} s`,
  );
  return { tableName, targets, stored: size, nextIndex: size };
}

/**
 * `count` targets of design `d` of `of`: its share of the fill's, topped up with memories created now
 * through `store` (not metered) when the table is too small to give each call its own fill memory.
 */
export async function targetsFor(
  table: Table,
  d: number,
  of: number,
  count: number,
  store: MemoryStore,
): Promise<Target[]> {
  const targets = table.targets.filter((_, position) => position % of === d).slice(0, count);
  while (targets.length < count) {
    const index = table.nextIndex++;
    const { content, tags } = fixtureMemory(index);
    const { memory, duplicate } = await store.create(content, tags);
    if (duplicate) throw new Error(`memory ${index} was a duplicate`);
    table.stored += 1;
    targets.push({ id: memory.id, index });
  }
  return targets;
}

/** The content an update gives a fill memory: its own, with a sentence added. */
export function revisedContent(target: Target, design: Design, call: number): string {
  return `${fixtureMemory(target.index).content} Checked again later (${design} ${call}): still true.`;
}

export function checkUpdated(memory: Memory | undefined, target: Target, content: string): void {
  if (memory?.id !== target.id || memory.content !== content || memory.version < 2)
    throw new Error(`the update of ${target.id} did not store its content: ${JSON.stringify(memory)}`);
}
