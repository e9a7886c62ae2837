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
//          [--deletes N] [--node current|22|path] [--build-lambda] [--baseline dist-of-today/lambda/index.mjs
//          --baseline-src checkout-of-today] [--baseline-max 10000] [--only index|today] [--out docs/benchmarks]
//   --updates, --deletes  calls per child process (default: --creates); each needs its own fill memory
//   --baseline-max N      runs today's design only on tables of at most N memories (default 10,000): every
//                         one of its searches reads the whole table (about 1,000 read units per 10,000
//                         memories, and all of it in a 128 MB function's heap); 0 never runs it
//   --only                one design, filling through its own store
// 100,000 memories (1.76 million items) fill in about 4 minutes on 2 cores; dynalite keeps them in this
// process's memory (about 2 GiB RSS).
// The tables filled: bench/search-scale-table.ts; the child processes: bench/search-scale-child.ts; what is
// printed and written to --out: bench/search-scale-report.ts.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Memory } from "../src/memory/memory-store.ts";
import { TEST_CURSOR_SECRET } from "../test/helpers/dynalite.ts";
import { resolveNode, startBackend } from "./lambda-env.ts";
import { costUsd, meteredClient, type Usage } from "./search-cost.ts";
import { childCpuOn } from "./search-scale-child.ts";
import {
  type Design,
  type Fill,
  factor,
  loadAverage,
  printRow,
  printSearchHeader,
  printWritesTable,
  type Row,
  writeLines,
  writeOutputs,
} from "./search-scale-report.ts";
import {
  checkUpdated,
  fill,
  revisedContent,
  type StoreModule,
  type Target,
  targetsFor,
} from "./search-scale-table.ts";
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
    /** The node that runs the bundles: "current", "22" (Lambda's major) or a path to a node binary. */
    node: { type: "string", default: "current" },
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

const questions = (
  JSON.parse(readFileSync(join(ROOT, "test/fixtures/search/questions.json"), "utf8")) as {
    question: string;
  }[]
) // our fixture: questions
  .slice(0, 40)
  .map((entry) => entry.question);

/** Calls of each kind made in this process through the metered client, per design and size. */
const METERED_CALLS = 10;

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

const backend = await startBackend(work, { tls: false });
const node = resolveNode(args.node);
const nodeVersion = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
const childCpu = childCpuOn(work, backend, node);
const rows: Row[] = [];
const fills: Fill[] = [];

printSearchHeader();
for (const size of sizes) {
  const here = designs.filter(({ design }) => design !== "today" || size <= baselineMax);
  if (here.length < designs.length)
    console.error(
      `today's design skipped at ${size.toLocaleString("en")} memories (--baseline-max ${baselineMax})`,
    );
  if (here.length === 0) continue;
  const perDesign = 2 * METERED_CALLS + updates + deletes;
  const table = await fill(
    backend.client,
    size,
    (here[0] as (typeof here)[number]).storeModule, // not empty, above
    here.length * perDesign,
    fills,
  );
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
    if (args.out !== undefined) writeOutputs(resolve(args.out), nodeVersion, rows, fills);
  }
}
await backend.stop();
printWritesTable(rows);

function per(usage: Usage, count: number): Usage {
  return {
    requests: usage.requests / count,
    readUnits: usage.readUnits / count,
    writeUnits: usage.writeUnits / count,
  };
}
