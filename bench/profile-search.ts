// Where a warm search's CPU goes at scale: fills a table (bench/search-scale-table.ts), then runs one fresh
// process on an unminified build of src/lambda.ts under `node --cpu-prof`, making --searches searches of the
// fixture's questions, and sums the samples' self time of every search after the first by module and function.
// Usage: tsx bench/profile-search.ts [--memories 10000] [--searches 40] [--top 25]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { lambdaBuildOptions } from "../scripts/lambda-esbuild.mjs";
import { runChild } from "./cold.ts";
import { lambdaEnv, lambdaNodeFlags, startBackend } from "./lambda-env.ts";
import { fill } from "./search-scale-table.ts";
import { rpcEvent } from "./session.ts";
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
const moduleAt: string[] = [];
let current = "(bundle prelude)";
for (const line of readFileSync(bundle, "utf8").split("\n")) {
  const marker = /^\/\/ ((?:node_modules|src|bench|schemas)\/\S+|package\.json)$/.exec(line);
  if (marker?.[1] !== undefined) current = marker[1].replace(/^node_modules\//, "").replace("/dist-es/", "/");
  moduleAt.push(current);
}
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
const result = JSON.parse(readFileSync(resultFile, "utf8")) as {
  init: { cpuMs: number };
  requests: { cpuMs: number }[];
  marks: string[];
};
console.log(`INIT ${result.init.cpuMs.toFixed(1)} ms`);
const cpu = result.requests.map((r) => r.cpuMs);
const later = cpu.slice(1).sort((a, b) => a - b);
console.log(
  `first ${cpu[0]?.toFixed(1)} ms; later median ${later[Math.floor(later.length / 2)]?.toFixed(2)} mean ${(later.reduce((s, x) => s + x, 0) / later.length).toFixed(2)} ms`,
);
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile")) as string;
const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const bounds = result.marks.map((m) => Number(BigInt(m) / 1000n));
const inLater = (t: number): boolean => {
  for (let r = 1; r < count; r++)
    if (t >= (bounds[2 + 2 * r] ?? 0) && t < (bounds[3 + 2 * r] ?? 0)) return true;
  return false;
};
const modules = new Map<string, number>();
const functions = new Map<string, number>();
let time = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  time += profile.timeDeltas[i] ?? 0;
  const node = byId.get(profile.samples[i] ?? -1);
  if (node === undefined || !inLater(time) || node.callFrame.functionName === "(idle)") continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const module =
    url === `file://${bundle}`
      ? (moduleAt[lineNumber] ?? "?")
      : url === ""
        ? functionName
        : url.startsWith("node:")
          ? "node internals"
          : url;
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000 / (count - 1);
  modules.set(module, (modules.get(module) ?? 0) + ms);
  const key = `${functionName || "(anon)"} [${module}]`;
  functions.set(key, (functions.get(key) ?? 0) + ms);
}
for (const [title, map] of [
  ["by module", modules],
  ["by function", functions],
] as const) {
  const total = [...map.values()].reduce((s, x) => s + x, 0);
  console.log(`\n${title} (${total.toFixed(2)} ms sampled per search):`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top)))
    console.log(`  ${v.toFixed(2).padStart(6)}  ${k}`);
}
