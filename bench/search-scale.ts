// What one search costs as the memory grows: fills a table with N memories (the search fixture's 237, cycled
// and numbered), then runs searches in a fresh process on the Lambda bundle, with Lambda's 128 MB node flags,
// and reports each search's process CPU (the first one after INIT, then the median of the rest) and the
// modelled 128 MB latency (CPU x 1769/128). The table sits in dynalite in this process, behind the HTTPS
// front, so its CPU is not counted.
// Usage: npm run bench:search -- [--memories 100,1000,3000] [--searches 7] [--lambda dist/lambda/index.mjs ...]
// (several --lambda compare builds on the same tables; --build-lambda bundles src/lambda.ts into --work first).
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createDynamoDbStore, ensureTable } from "../src/dynamodb/memory-store.ts";
import { TEST_CURSOR_SECRET } from "../test/helpers/dynalite.ts";
import { runChild } from "./cold.ts";
import { lambdaEnv, lambdaNodeFlags, startBackend } from "./lambda-env.ts";
import { invokeSlowdown } from "./model.ts";
import { messageOf, rpcEvent } from "./session.ts";
import { stats } from "./stats.ts";
import { buildLambda, ROOT } from "./subjects.ts";

const { values: args } = parseArgs({
  options: {
    memories: { type: "string", default: "100,1000,3000" },
    searches: { type: "string", default: "7" },
    lambda: { type: "string", multiple: true, default: [join(ROOT, "dist", "lambda", "index.mjs")] },
    "build-lambda": { type: "boolean", default: false },
    work: { type: "string", default: join(ROOT, "dist", "bench", "search-scale") },
  },
});
const sizes = args.memories.split(",").map((size) => Number(size));
const searches = Number(args.searches);
if (
  sizes.some((size) => !Number.isInteger(size) || size < 1) ||
  !Number.isInteger(searches) ||
  searches < 2
) {
  throw new Error("--memories takes positive whole numbers separated by commas; --searches at least 2");
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

interface FixtureMemory {
  content: string;
  tags: string[];
}
const fixture = JSON.parse(
  readFileSync(join(ROOT, "test", "fixtures", "search", "memories.json"), "utf8"),
) as FixtureMemory[]; // our own fixture file, an array of memories

const work = resolve(args.work);
mkdirSync(work, { recursive: true });
const bundles = args["build-lambda"]
  ? [(await buildLambda(join(work, "bundles"))).bundle]
  : args.lambda.map((path) => resolve(path));
const backend = await startBackend(work);

console.log(
  "| bundle | memories | first search CPU ms | later searches CPU ms (median) | modelled 128 MB first / later ms |",
);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const size of sizes) {
  const tableName = `scale-${randomUUID()}`;
  await ensureTable(backend.client, tableName);
  const store = createDynamoDbStore({ client: backend.client, tableName, cursorSecret: TEST_CURSOR_SECRET });
  for (let index = 0; index < size; index++) {
    const memory = fixture[index % fixture.length] as FixtureMemory; // index modulo a non-empty array
    await store.create(`${memory.content} (${index})`, memory.tags);
  }
  for (const bundle of bundles) {
    const requests = Array.from({ length: searches }, (_, index) => ({
      label: `search ${index + 1}`,
      event: rpcEvent(index + 1, "tools/call", {
        name: "search_memories",
        arguments: { query: "when is my daughter's birthday" },
      }),
    }));
    const sessionFile = join(work, "session.json");
    const resultFile = join(work, "result.json");
    writeFileSync(sessionFile, JSON.stringify({ requests }));
    await runChild(
      process.execPath,
      [...lambdaNodeFlags(), join(ROOT, "bench", "cold-session.mjs"), bundle, sessionFile, resultFile],
      lambdaEnv({ tableName, backend, home: join(work, "home") }),
      `search of ${size} memories`,
    );
    const result = JSON.parse(readFileSync(resultFile, "utf8")) as {
      requests: { cpuMs: number; response: { body?: string } }[];
    }; // written by bench/cold-session.mjs
    for (const request of result.requests) {
      const searched = (
        messageOf(request.response.body ?? "") as { result?: { structuredContent?: { searched?: number } } }
      ).result?.structuredContent?.searched;
      if (searched !== size) throw new Error(`a search of ${size} memories searched ${searched}`);
    }
    const [first, ...later] = result.requests.map((request) => request.cpuMs);
    const laterMedian = stats(later).median;
    const factor = invokeSlowdown(128);
    const label = bundle.replace(`${ROOT}/`, "");
    console.log(
      `| ${label} | ${size} | ${first?.toFixed(1)} | ${laterMedian.toFixed(1)} | ${Math.round((first ?? 0) * factor)} / ${Math.round(laterMedian * factor)} |`,
    );
  }
}
await backend.stop();
