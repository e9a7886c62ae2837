// Where a warm search's CPU goes at scale: fills a table (bench/search-scale-table.ts), then runs one fresh
// process on an unminified build of src/lambda.ts under `node --cpu-prof`, making --searches searches of the
// fixture's questions, and sums the samples' self time of every search after the first by module and function.
// Usage: tsx bench/profile-search.ts [--memories 10000] [--searches 40] [--top 25]
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { lambdaBuildOptions } from "../scripts/lambda-esbuild.mjs";
import { type ChildSession, runChild } from "./cold.ts";
import { add, moduleLines, phaseOfMarks, printTop, readSamples } from "./cpu-profile.ts";
import { lambdaEnv, lambdaNodeFlags, startBackend } from "./lambda-env.ts";
import { fill } from "./search-scale-table.ts";
import { rpcEvent } from "./session.ts";
import { stats } from "./stats.ts";
import { ROOT } from "./subjects.ts";

const { values: args } = parseArgs({
  options: {
    memories: { type: "string", default: "10000" },
    searches: { type: "string", default: "40" },
    top: { type: "string", default: "25" },
  },
});
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const dir = join(ROOT, "dist", "bench", "profile-search");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const bundle = join(dir, "index.mjs");
await build({
  ...lambdaBuildOptions({ entryPoint: join(ROOT, "src", "lambda.ts"), outfile: bundle }),
  minify: false,
});
const backend = await startBackend(dir, { tls: false });
const table = await fill(
  backend.client,
  Number(args.memories),
  join(ROOT, "src/dynamodb/memory-store.ts"),
  0,
  [],
);
const questions = (
  JSON.parse(readFileSync(join(ROOT, "test/fixtures/search/questions.json"), "utf8")) as {
    question: string;
  }[]
).map((entry) => entry.question);
const count = Number(args.searches);
const requests = Array.from({ length: count }, (_, i) => ({
  label: `search ${i + 1}`,
  event: rpcEvent(i + 1, "tools/call", {
    name: "search_memories",
    arguments: { query: questions[i % questions.length] },
  }),
}));
const [sessionFile, resultFile] = [join(dir, "session.json"), join(dir, "result.json")];
writeFileSync(sessionFile, JSON.stringify({ requests }));
await runChild(
  process.execPath,
  [
    ...lambdaNodeFlags(),
    "--cpu-prof",
    `--cpu-prof-dir=${dir}`,
    "--cpu-prof-interval=50",
    join(ROOT, "bench", "cold-session.mjs"),
    bundle,
    sessionFile,
    resultFile,
  ],
  {
    ...lambdaEnv({ tableName: table.tableName, backend, home: join(dir, "home") }),
    TOOL_DEADLINE_MS: "120000",
  },
  "profile",
);
await backend.stop();
const result = JSON.parse(readFileSync(resultFile, "utf8")) as ChildSession; // written by cold-session.mjs
console.log(`INIT ${result.init.cpuMs.toFixed(1)} ms`);
const later = stats(result.requests.slice(1).map((request) => request.cpuMs));
console.log(
  `first search ${result.requests[0]?.cpuMs.toFixed(1)} ms; later ones median ${later.median.toFixed(2)} ms`,
);
// Every search after the first: phases 2 to `count` (phase 0 is INIT, phase n the nth request).
const phaseOf = phaseOfMarks(result.marks);
const modules = new Map<string, number>();
const functions = new Map<string, number>();
for (const sample of readSamples(dir, bundle, moduleLines(bundle), (time) => {
  const phase = phaseOf(time);
  return phase >= 2 ? phase : -1;
})) {
  add(modules, sample.module, sample.ms / (count - 1));
  add(functions, sample.function, sample.ms / (count - 1));
}
const total = [...modules.values()].reduce((sum, ms) => sum + ms, 0);
console.log(`\n${total.toFixed(2)} ms sampled on the main thread per search`);
printTop("by module", modules, Number(args.top));
printTop("by function", functions, Number(args.top));
