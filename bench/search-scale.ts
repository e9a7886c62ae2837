// What a search and a create cost as the store grows, today's design (every search reads every memory)
// beside the index (docs/storage-index.md). For each size: fills a table through the store (not HTTP), then
// - runs searches and creates in fresh processes on each Lambda bundle with Lambda's 128 MB node flags, and
//   reports process CPU of the first call after INIT (cold) and the median of the rest (warm), and the
//   modelled 128 MB latency (CPU x 1769/128); dynalite runs in this process, so its CPU is not counted;
// - runs the same calls in this process through a client that asks for ReturnConsumedCapacity, and reports
//   DynamoDB requests and read / write units per search and per create;
// - prices 1,000 searches and 1,000 creates at on-demand rates (DynamoDB plus the modelled Lambda time).
// Usage: npm run bench:search -- [--memories 1000,10000,100000] [--searches 7] [--creates 7] [--build-lambda]
//          [--baseline dist-of-today/lambda/index.mjs --baseline-src checkout-of-today] [--out docs/benchmarks]
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type createDynamoDbStore, ensureTable } from "../src/dynamodb/memory-store.ts";
import type { MemoryStore } from "../src/memory/memory-store.ts";
import { TEST_CURSOR_SECRET } from "../test/helpers/dynalite.ts";
import { runChild } from "./cold.ts";
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
    lambda: { type: "string", default: join(ROOT, "dist", "lambda", "index.mjs") },
    /** Bundle src/lambda.ts into --work first and use that bundle. */
    "build-lambda": { type: "boolean", default: false },
    baseline: { type: "string" },
    "baseline-src": { type: "string" },
    out: { type: "string" },
    /** Only one design (and fill through its own store): "index" or "today". */
    only: { type: "string" },
    work: { type: "string", default: join(ROOT, "dist", "bench", "search-scale") },
  },
});
const sizes = args.memories.split(",").map(Number);
const [searches, creates] = [Number(args.searches), Number(args.creates)];
if (sizes.some((size) => !Number.isInteger(size) || size < 1) || !(searches >= 2) || !(creates >= 2)) {
  throw new Error(
    "--memories takes positive whole numbers separated by commas; --searches and --creates at least 2",
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

type Design = "today" | "index";
const work = resolve(args.work);
mkdirSync(work, { recursive: true });
const indexBundle = args["build-lambda"]
  ? (await buildLambda(join(work, "bundles"))).bundle
  : resolve(args.lambda);
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

interface Row {
  design: Design;
  memories: number;
  searchCpuMs: { cold: number; warm: number };
  createCpuMs: { cold: number; warm: number };
  search: Usage;
  create: Usage;
  usdPer1000Searches: number;
  usdPer1000Creates: number;
}

const backend = await startBackend(work, { tls: false });
const factor = invokeSlowdown(128);
const rows: Row[] = [];

/** CPU of each call of a fresh process on `bundle`: the first after INIT, then the median of the rest. */
async function childCpu(
  bundle: string,
  tableName: string,
  calls: { name: string; arguments: Record<string, unknown> }[],
  check: (structured: Record<string, unknown>) => void,
): Promise<{ cold: number; warm: number }> {
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
  for (const request of result.requests) {
    const message = messageOf(request.response.body ?? "") as {
      result?: { structuredContent?: Record<string, unknown>; isError?: boolean };
    };
    if (message.result?.isError === true || message.result?.structuredContent === undefined)
      throw new Error(`a call failed: ${request.response.body?.slice(0, 300)}`);
    check(message.result.structuredContent);
  }
  const [first, ...later] = result.requests.map((request) => request.cpuMs);
  return { cold: first ?? Number.NaN, warm: stats(later).median };
}

/** Fills a fresh table with `size` memories through the store: the fixture cycled and numbered. */
async function fill(size: number): Promise<string> {
  const tableName = `scale-${size}-${randomUUID()}`;
  await ensureTable(backend.client, tableName);
  const { storeModule } = designs[0] ?? allDesigns[0] ?? { storeModule: "" };
  const module = (await import(storeModule)) as { createDynamoDbStore: typeof createDynamoDbStore }; // our store, either version
  const store = module.createDynamoDbStore({
    client: backend.client,
    tableName,
    cursorSecret: TEST_CURSOR_SECRET,
  });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let index = next++; index < size; index = next++) {
        const memory = fixture[index % fixture.length] as FixtureMemory; // index modulo a non-empty array
        await store.create(`${memory.content} (${index})`, memory.tags);
        if (index % 1000 === 999)
          console.error(
            `filled ${index + 1} of ${size}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
          );
      }
    }),
  );
  // An index over a table whose every memory is indexed is built at its first search.
  if (typeof store.search === "function") await store.search("warm", { limit: 1 });
  return tableName;
}

console.log(
  "| design | memories | search CPU ms cold (modelled 128 MB) | warm | create CPU ms cold (modelled) | warm | " +
    "search: requests / RCU | create: requests / WCU | 1,000 searches | 1,000 creates |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const size of sizes) {
  const tableName = await fill(size);
  for (const { design, bundle, storeModule } of designs) {
    const metered = meteredClient(backend.endpoint);
    const module = (await import(storeModule)) as { createDynamoDbStore: (options: unknown) => MemoryStore }; // our store module, at either version
    const store = module.createDynamoDbStore({
      client: metered.client,
      tableName,
      cursorSecret: TEST_CURSOR_SECRET,
    });
    const search = async (query: string): Promise<void> => {
      // Today's tool read every memory (store.all()) and ranked them; the index's tool calls store.search.
      if (design === "today") await store.all();
      else await store.search(query, { limit: 10 });
    };
    metered.take();
    for (const query of questions.slice(0, 10)) await search(query);
    const searchUsage = per(metered.take(), 10);
    for (let i = 0; i < 10; i++)
      await store.create(`metered create ${design} ${i} ${randomUUID()} about the garden shed and school`, [
        "bench",
      ]);
    const createUsage = per(metered.take(), 10);
    metered.client.destroy();

    const searchCpuMs = await childCpu(
      bundle,
      tableName,
      Array.from({ length: searches }, (_, i) => ({
        name: "search_memories",
        arguments: { query: questions[i % questions.length] },
      })),
      (output) => {
        if (typeof output.searched !== "number" || output.searched < size)
          throw new Error(`searched ${output.searched} of ${size}`);
      },
    );
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
      },
    );
    rows.push({
      design,
      memories: size,
      searchCpuMs,
      createCpuMs,
      search: searchUsage,
      create: createUsage,
      usdPer1000Searches: costUsd(1000, searchUsage, searchCpuMs.warm * factor),
      usdPer1000Creates: costUsd(1000, createUsage, createCpuMs.warm * factor),
    });
    printRow(rows[rows.length - 1] as Row); // just pushed
    if (args.out !== undefined) writeOutputs(resolve(args.out));
  }
}
await backend.stop();

function per(usage: Usage, count: number): Usage {
  return {
    requests: usage.requests / count,
    readUnits: usage.readUnits / count,
    writeUnits: usage.writeUnits / count,
  };
}

function printRow(row: Row): void {
  const ms = (cpu: number): string => `${cpu.toFixed(1)} (${Math.round(cpu * factor)})`;
  console.log(
    `| ${row.design} | ${row.memories.toLocaleString("en")} | ${ms(row.searchCpuMs.cold)} | ${ms(row.searchCpuMs.warm)} | ` +
      `${ms(row.createCpuMs.cold)} | ${ms(row.createCpuMs.warm)} | ${row.search.requests.toFixed(1)} / ${row.search.readUnits.toFixed(1)} | ` +
      `${row.create.requests.toFixed(1)} / ${row.create.writeUnits.toFixed(1)} | $${row.usdPer1000Searches.toFixed(4)} | $${row.usdPer1000Creates.toFixed(4)} |`,
  );
}

/** Writes the rows so far (JSON) and the chart of cost against store size (SVG) into --out. */
function writeOutputs(out: string): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "search-scale.json"),
    `${JSON.stringify({ node: process.version, rows }, null, 2)}\n`,
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
