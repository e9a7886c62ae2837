// What a search, a create, an update and a delete cost as the store grows, today's design (every search reads
// every memory) beside the index (docs/storage-index.md). For each size: fills a table through the store
// (bench/fill.ts: the store's creates run on a capturing client, their items go in with BatchWriteItem), then
// per design, in this order so that no call meets a memory another one removed: searches, creates, updates
// (of fill memories spread over the table, each call its own memory, content changed), deletes (of other
// fill memories):
// - runs each kind of call in a fresh process on the design's Lambda bundle with Lambda's 128 MB node flags,
//   and reports process CPU of the first call after INIT (cold) and the median of the rest (warm), and the
//   modelled 128 MB latency (CPU x 1769/128); dynalite runs in this process, so its CPU is not counted;
// - makes 10 calls of each kind in this process through a client that asks for ReturnConsumedCapacity, and
//   reports DynamoDB requests and read / write units per call;
// - prices 1,000 calls of each kind at on-demand rates (DynamoDB plus the modelled Lambda time).
// Every answer is checked: a search must have ranked exactly the memories stored, a write must have happened.
// Prints the search table as each row completes, the table of writes at the end; --out gets the rows (JSON,
// with the fill times and load average) and the chart of search and create cost (SVG) after each row.
// Usage: npm run bench:search -- [--memories 1000,10000,100000] [--searches 7] [--creates 7] [--updates N]
//          [--deletes N] [--build-lambda] [--baseline dist-of-today/lambda/index.mjs
//          --baseline-src checkout-of-today] [--baseline-max 10000] [--only index|today] [--out docs/benchmarks]
//   --updates, --deletes  calls per child process (default: --creates); each needs its own fill memory
//   --baseline-max N      runs today's design only on tables of at most N memories (default 10,000): every
//                         one of its searches reads the whole table (about 1,000 read units per 10,000
//                         memories, and all of it in a 128 MB function's heap); 0 never runs it
//   --only                one design, filling through its own store
// 100,000 memories (1.76 million items) fill in about 4 minutes on 2 cores; dynalite keeps them in this
// process's memory (about 2 GiB RSS).
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ensureTable } from "../src/dynamodb/memory-store.ts";
import type { Memory, MemoryStore } from "../src/memory/memory-store.ts";
import { TEST_CURSOR_SECRET } from "../test/helpers/dynalite.ts";
import { runChild } from "./cold.ts";
import { fillThroughStore } from "./fill.ts";
import { lambdaEnv, lambdaNodeFlags, startBackend } from "./lambda-env.ts";
import { invokeSlowdown } from "./model.ts";
import { costChart, costUsd, meteredClient, type Usage } from "./search-cost.ts";
import { messageOf, rpcEvent } from "./session.ts";
import { stats } from "./stats.ts";
import { buildLambda, ROOT } from "./subjects.ts";

const { values: args } = parseArgs({
  options: {
    memories: { type: "string", default: "1000,10000" },
    searches: { type: "string", default: "7" },
    creates: { type: "string", default: "7" },
    updates: { type: "string" },
    deletes: { type: "string" },
    lambda: { type: "string", default: join(ROOT, "dist", "lambda", "index.mjs") },
    /** Bundle src/lambda.ts into --work first and use that bundle. */
    "build-lambda": { type: "boolean", default: false },
    baseline: { type: "string" },
    "baseline-src": { type: "string" },
    "baseline-max": { type: "string", default: "10000" },
    out: { type: "string" },
    /** Only one design (and fill through its own store): "index" or "today". */
    only: { type: "string" },
    work: { type: "string", default: join(ROOT, "dist", "bench", "search-scale") },
  },
});
const sizes = args.memories.split(",").map(Number);
const [searches, creates] = [Number(args.searches), Number(args.creates)];
const [updates, deletes] = [Number(args.updates ?? creates), Number(args.deletes ?? creates)];
const baselineMax = Number(args["baseline-max"]);
if (
  sizes.some((size) => !Number.isInteger(size) || size < 1) ||
  [searches, creates, updates, deletes].some((count) => !Number.isInteger(count) || count < 2) ||
  !(Number.isInteger(baselineMax) && baselineMax >= 0)
) {
  throw new Error(
    "--memories takes positive whole numbers separated by commas; --searches, --creates, --updates and " +
      "--deletes whole numbers of at least 2; --baseline-max a whole number",
  );
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

interface FixtureMemory {
  content: string;
  tags: string[];
}
const fixture = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/search/memories.json"), "utf8"),
) as FixtureMemory[]; // our fixture: memories
const questions = (
  JSON.parse(readFileSync(join(ROOT, "test/fixtures/search/questions.json"), "utf8")) as {
    question: string;
  }[]
) // our fixture: questions
  .slice(0, 40)
  .map((entry) => entry.question);

/** Memory `index` of a table: the fixture cycled and numbered, so every content is distinct. */
function fixtureMemory(index: number): FixtureMemory {
  const memory = fixture[index % fixture.length] as FixtureMemory; // index modulo a non-empty array
  return { content: `${memory.content} (${index})`, tags: memory.tags };
}

/** Calls of each kind made in this process through the metered client, per design and size. */
const METERED_CALLS = 10;

type Design = "today" | "index";
type StoreModule = { createDynamoDbStore: (options: unknown) => MemoryStore }; // our store module, at either version
const work = resolve(args.work);
mkdirSync(work, { recursive: true });
const indexBundle = args["build-lambda"]
  ? (await buildLambda(join(work, "bundles"))).bundle
  : resolve(args.lambda);
// The index first: today's writes do not keep the index, so nothing may search it after them.
const allDesigns: { design: Design; bundle: string; storeModule: string }[] = [
  { design: "index", bundle: indexBundle, storeModule: join(ROOT, "src/dynamodb/memory-store.ts") },
  ...(args.baseline !== undefined && args["baseline-src"] !== undefined
    ? [
        {
          design: "today" as const,
          bundle: resolve(args.baseline),
          storeModule: resolve(args["baseline-src"], "src/dynamodb/memory-store.ts"),
        },
      ]
    : []),
];
const designs = allDesigns.filter((entry) => args.only === undefined || entry.design === args.only);

interface Cpu {
  cold: number;
  warm: number;
}

interface Row {
  design: Design;
  memories: number;
  searchCpuMs: Cpu;
  createCpuMs: Cpu;
  updateCpuMs: Cpu;
  deleteCpuMs: Cpu;
  search: Usage;
  create: Usage;
  update: Usage;
  delete: Usage;
  usdPer1000Searches: number;
  usdPer1000Creates: number;
  usdPer1000Updates: number;
  usdPer1000Deletes: number;
  /** os.loadavg() when the row was done: CPU times inflate with it. */
  loadAverage: number[];
}

interface Fill {
  memories: number;
  items: number;
  seconds: number;
  loadAverage: number[];
}

const backend = await startBackend(work, { tls: false });
const factor = invokeSlowdown(128);
const rows: Row[] = [];
const fills: Fill[] = [];

/** CPU of each call of a fresh process on `bundle`: the first after INIT, then the median of the rest. */
async function childCpu(
  bundle: string,
  tableName: string,
  calls: { name: string; arguments: Record<string, unknown> }[],
  check: (structured: Record<string, unknown>, index: number) => void,
): Promise<Cpu> {
  const requests = calls.map((params, index) => ({
    label: `${params.name} ${index + 1}`,
    event: rpcEvent(index + 1, "tools/call", params),
  }));
  const [sessionFile, resultFile] = [join(work, "session.json"), join(work, "result.json")];
  writeFileSync(sessionFile, JSON.stringify({ requests }));
  await runChild(
    process.execPath,
    [...lambdaNodeFlags(), join(ROOT, "bench", "cold-session.mjs"), bundle, sessionFile, resultFile],
    // A long tool deadline: on a loaded machine today's design at 10,000 memories can need more than 8 s.
    { ...lambdaEnv({ tableName, backend, home: join(work, "home") }), TOOL_DEADLINE_MS: "120000" },
    `${calls[0]?.name} on ${tableName}`,
  );
  const result = JSON.parse(readFileSync(resultFile, "utf8")) as {
    requests: { cpuMs: number; response: { body?: string } }[];
  }; // written by cold-session.mjs
  result.requests.forEach((request, index) => {
    const message = messageOf(request.response.body ?? "") as {
      result?: { structuredContent?: Record<string, unknown>; isError?: boolean };
    };
    if (message.result?.isError === true || message.result?.structuredContent === undefined)
      throw new Error(`a call failed: ${request.response.body?.slice(0, 300)}`);
    check(message.result.structuredContent, index);
  });
  const [first, ...later] = result.requests.map((request) => request.cpuMs);
  return { cold: first ?? Number.NaN, warm: stats(later).median };
}

/** A fill memory that an update or a delete may target: its id, and its index for its content. */
interface Target {
  id: string;
  index: number;
}

/** A filled table, and what the run has done to it so far. */
interface Table {
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
 * memories spread evenly over the table, for updates and deletes.
 */
async function fill(size: number, storeModule: string, targetCount: number): Promise<Table> {
  const tableName = `scale-${size}-${randomUUID()}`;
  await ensureTable(backend.client, tableName);
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
    client: backend.client,
    tableName,
    storeOn,
    size,
    memory: fixtureMemory,
    created(index, id) {
      if (picks.has(index)) targets.push({ id, index });
    },
  });
  const store = storeOn(backend.client);
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
async function targetsFor(
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
function revisedContent(target: Target, design: Design, call: number): string {
  return `${fixtureMemory(target.index).content} Checked again later (${design} ${call}): still true.`;
}

function checkUpdated(memory: Memory | undefined, target: Target, content: string): void {
  if (memory?.id !== target.id || memory.content !== content || memory.version < 2)
    throw new Error(`the update of ${target.id} did not store its content: ${JSON.stringify(memory)}`);
}

console.log(
  "| design | memories | search CPU ms cold (modelled 128 MB) | warm | create CPU ms cold (modelled) | warm | " +
    "search: requests / RCU | create: requests / WCU | 1,000 searches | 1,000 creates |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const size of sizes) {
  const here = designs.filter(({ design }) => design !== "today" || size <= baselineMax);
  if (here.length < designs.length)
    console.error(
      `today's design skipped at ${size.toLocaleString("en")} memories (--baseline-max ${baselineMax})`,
    );
  if (here.length === 0) continue;
  const perDesign = 2 * METERED_CALLS + updates + deletes;
  const table = await fill(size, (here[0] as (typeof here)[number]).storeModule, here.length * perDesign); // not empty, above
  for (const [d, { design, bundle, storeModule }] of here.entries()) {
    const { tableName } = table;
    const metered = meteredClient(backend.endpoint);
    const module = (await import(storeModule)) as StoreModule;
    const store = module.createDynamoDbStore({
      client: metered.client,
      tableName,
      cursorSecret: TEST_CURSOR_SECRET,
    });
    const checkSearched = (output: Record<string, unknown>): void => {
      if (output.searched !== table.stored) throw new Error(`searched ${output.searched} of ${table.stored}`);
    };

    // Searches. Today's tool read every memory (store.all()) and ranked them; the index's calls store.search.
    metered.take();
    for (const query of questions.slice(0, METERED_CALLS)) {
      if (design === "today") checkSearched({ searched: (await store.all()).length });
      else checkSearched({ ...(await store.search(query, { limit: 10 })) });
    }
    const searchUsage = per(metered.take(), METERED_CALLS);
    const searchCpuMs = await childCpu(
      bundle,
      tableName,
      Array.from({ length: searches }, (_, i) => ({
        name: "search_memories",
        arguments: { query: questions[i % questions.length] },
      })),
      checkSearched,
    );

    // Creates.
    for (let i = 0; i < METERED_CALLS; i++) {
      const { duplicate } = await store.create(
        `metered create ${design} ${i} ${randomUUID()} about the garden shed and school`,
        ["bench"],
      );
      if (duplicate) throw new Error("a metered create was not stored");
      table.stored += 1;
    }
    const createUsage = per(metered.take(), METERED_CALLS);
    const createCpuMs = await childCpu(
      bundle,
      tableName,
      Array.from({ length: creates }, (_, i) => ({
        name: "create_memory",
        arguments: {
          content: `bench create ${design} ${i} ${randomUUID()} about the garden shed and my daughter's school`,
          tags: ["bench"],
        },
      })),
      (output) => {
        if ((output as { duplicate?: boolean }).duplicate !== false)
          throw new Error("a create was not stored");
        table.stored += 1;
      },
    );

    // Updates and deletes, each of its own fill memory: the metered calls' first, then the child's.
    const unmetered = module.createDynamoDbStore({
      client: backend.client,
      tableName,
      cursorSecret: TEST_CURSOR_SECRET,
    });
    const targets = await targetsFor(table, d, here.length, perDesign, unmetered);
    const toUpdate = targets.slice(0, METERED_CALLS + updates);
    const toDelete = targets.slice(METERED_CALLS + updates);
    metered.take();
    for (const [i, target] of toUpdate.slice(0, METERED_CALLS).entries()) {
      const content = revisedContent(target, design, i);
      const { memory, changed } = await store.update(target.id, { content });
      if (!changed) throw new Error(`the metered update of ${target.id} changed nothing`);
      checkUpdated(memory, target, content);
    }
    const updateUsage = per(metered.take(), METERED_CALLS);
    const childUpdates = toUpdate.slice(METERED_CALLS);
    const updateCpuMs = await childCpu(
      bundle,
      tableName,
      childUpdates.map((target, i) => ({
        name: "update_memory",
        arguments: { id: target.id, content: revisedContent(target, design, METERED_CALLS + i) },
      })),
      (output, i) => {
        const target = childUpdates[i] as Target; // one answer per call
        if (output.changed !== true) throw new Error(`the update of ${target.id} changed nothing`);
        checkUpdated(output.memory as Memory, target, revisedContent(target, design, METERED_CALLS + i)); // the tool's output schema
      },
    );
    for (const target of toDelete.slice(0, METERED_CALLS)) {
      const deleted = await store.delete(target.id);
      if (deleted.id !== target.id)
        throw new Error(`the metered delete of ${target.id} removed ${deleted.id}`);
      table.stored -= 1;
    }
    const deleteUsage = per(metered.take(), METERED_CALLS);
    const childDeletes = toDelete.slice(METERED_CALLS);
    const deleteCpuMs = await childCpu(
      bundle,
      tableName,
      childDeletes.map((target) => ({ name: "delete_memory", arguments: { id: target.id } })),
      (output, i) => {
        const target = childDeletes[i] as Target; // one answer per call
        const deleted = output.deleted as Memory | undefined; // the tool's output schema
        if (deleted?.id !== target.id) throw new Error(`the delete of ${target.id} answered ${deleted?.id}`);
        table.stored -= 1;
      },
    );
    metered.client.destroy();

    const row: Row = {
      design,
      memories: size,
      searchCpuMs,
      createCpuMs,
      updateCpuMs,
      deleteCpuMs,
      search: searchUsage,
      create: createUsage,
      update: updateUsage,
      delete: deleteUsage,
      usdPer1000Searches: costUsd(1000, searchUsage, searchCpuMs.warm * factor),
      usdPer1000Creates: costUsd(1000, createUsage, createCpuMs.warm * factor),
      usdPer1000Updates: costUsd(1000, updateUsage, updateCpuMs.warm * factor),
      usdPer1000Deletes: costUsd(1000, deleteUsage, deleteCpuMs.warm * factor),
      loadAverage: loadAverage(),
    };
    rows.push(row);
    printRow(row);
    for (const line of writeLines(row)) console.error(`writes: ${line}`);
    if (args.out !== undefined) writeOutputs(resolve(args.out));
  }
}
await backend.stop();
console.log();
console.log(
  "| operation | design | memories | CPU ms cold (modelled 128 MB) | warm | requests / read units / write units | 1,000 calls |",
);
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) for (const line of writeLines(row)) console.log(line);

function loadAverage(): number[] {
  return loadavg().map((load) => Math.round(load * 100) / 100);
}

function per(usage: Usage, count: number): Usage {
  return {
    requests: usage.requests / count,
    readUnits: usage.readUnits / count,
    writeUnits: usage.writeUnits / count,
  };
}

function ms(cpu: number): string {
  return `${cpu.toFixed(1)} (${Math.round(cpu * factor)})`;
}

function printRow(row: Row): void {
  console.log(
    `| ${row.design} | ${row.memories.toLocaleString("en")} | ${ms(row.searchCpuMs.cold)} | ${ms(row.searchCpuMs.warm)} | ` +
      `${ms(row.createCpuMs.cold)} | ${ms(row.createCpuMs.warm)} | ${row.search.requests.toFixed(1)} / ${row.search.readUnits.toFixed(1)} | ` +
      `${row.create.requests.toFixed(1)} / ${row.create.writeUnits.toFixed(1)} | $${row.usdPer1000Searches.toFixed(4)} | $${row.usdPer1000Creates.toFixed(4)} |`,
  );
}

/** The rows of the table of writes for one row: create, update and delete. */
function writeLines(row: Row): string[] {
  const kinds = [
    ["create", row.createCpuMs, row.create, row.usdPer1000Creates],
    ["update", row.updateCpuMs, row.update, row.usdPer1000Updates],
    ["delete", row.deleteCpuMs, row.delete, row.usdPer1000Deletes],
  ] as const;
  return kinds.map(
    ([operation, cpu, usage, usd]) =>
      `| ${operation} | ${row.design} | ${row.memories.toLocaleString("en")} | ${ms(cpu.cold)} | ${ms(cpu.warm)} | ` +
      `${usage.requests.toFixed(1)} / ${usage.readUnits.toFixed(1)} / ${usage.writeUnits.toFixed(1)} | $${usd.toFixed(4)} |`,
  );
}

/** Writes the rows so far (JSON) and the chart of cost against store size (SVG) into --out. */
function writeOutputs(out: string): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "search-scale.json"),
    `${JSON.stringify({ node: process.version, rows, fills }, null, 2)}\n`,
  );
  const series = (
    design: Design,
    what: "usdPer1000Searches" | "usdPer1000Creates",
    colour: string,
    dashed: boolean,
  ) => ({
    label: `${design === "today" ? "today" : "index"}: 1,000 ${what === "usdPer1000Searches" ? "searches" : "creates"}`,
    colour,
    dashed,
    points: rows.filter((row) => row.design === design).map((row) => ({ x: row.memories, y: row[what] })),
  });
  writeFileSync(
    join(out, "search-cost.svg"),
    costChart(
      "Cost against store size (DynamoDB on demand + Lambda 128 MB, modelled)",
      "US dollars",
      [
        series("today", "usdPer1000Searches", "#c0392b", false),
        series("index", "usdPer1000Searches", "#2471a3", false),
        series("today", "usdPer1000Creates", "#c0392b", true),
        series("index", "usdPer1000Creates", "#2471a3", true),
      ].filter((s) => s.points.length > 0),
    ),
  );
}
