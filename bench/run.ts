// `npm run bench`: the cold-start benchmark against the official SDK recipes (see docs/benchmarks/results.md).
// Builds the subjects, runs interleaved cold sessions and the warm figures, writes results.md, chart.svg and
// results.json. `--url <endpoint> --key <key>` instead measures HTTP round trips against a running server.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type ColdResult, runColdSession } from "./cold.ts";
import { lambdaNodeFlags, MEMORY_MB, resolveNode, startBackend } from "./lambda-env.ts";
import { describeMachine } from "./machine.ts";
import { modelledColdMs } from "./model.ts";
import { type BenchResults, judgeTargets, type SubjectResults, summarise } from "./report.ts";
import { renderChart } from "./report-chart.ts";
import { renderMarkdown } from "./report-markdown.ts";
import { REQUEST_LABELS } from "./session.ts";
import { buildLambda, buildSubjects, extraSubject, ROOT, SUBJECTS } from "./subjects.ts";
import { renderUrlMarkdown, runUrlBench } from "./url.ts";
import { runWarm, type WarmPlan, type WarmResult } from "./warm.ts";

const { values: args } = parseArgs({
  options: {
    sessions: { type: "string", default: "11" },
    subjects: { type: "string", default: SUBJECTS.map((subject) => subject.id).join(",") },
    out: { type: "string", default: join(ROOT, "docs", "benchmarks") },
    work: { type: "string", default: join(ROOT, "dist", "bench") },
    "build-lambda": { type: "boolean", default: false },
    lambda: { type: "string", default: join(ROOT, "dist", "lambda", "index.mjs") },
    "lambda-meta": { type: "string", default: join(ROOT, "dist", "meta.json") },
    node: { type: "string", default: "current" },
    "warm-list": { type: "string", default: "10000" },
    "warm-warmup": { type: "string", default: "5000" },
    "warm-pairs": { type: "string", default: "200" },
    "no-warm": { type: "boolean", default: false },
    "no-tls": { type: "boolean", default: false },
    note: { type: "string", multiple: true, default: [] },
    extra: { type: "string", multiple: true, default: [] },
    url: { type: "string" },
    key: { type: "string" },
    iterations: { type: "string", default: "20" },
    render: { type: "string" },
  },
});

// The harness's own DynamoDB client (for dynalite) would warn once that the SDK drops Node 20 in 2027.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const work = resolve(args.work);
mkdirSync(work, { recursive: true });

if (args.url !== undefined) {
  const key = args.key ?? process.env.MCP_API_KEY;
  if (key === undefined) throw new Error("--url needs --key <api key> (or MCP_API_KEY)");
  const results = await runUrlBench(args.url, key, positive(args.iterations, "--iterations"));
  const markdown = renderUrlMarkdown(results);
  writeFileSync(join(work, "url-results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(work, "url-results.md"), markdown);
  process.stdout.write(markdown);
  process.exit(0);
}

if (args.render !== undefined) {
  // Re-renders results.md and chart.svg from a results.json, e.g. after a change to the report's wording.
  const results = JSON.parse(readFileSync(args.render, "utf8")) as BenchResults;
  writeReport(dirname(resolve(args.render)), results);
  process.exit(0);
}

const loadAtStart = loadavg()[0] ?? 0;
const sessions = positive(args.sessions, "--sessions");
const only = args.subjects.split(",").map((id) => id.trim());
for (const id of only) {
  if (!SUBJECTS.some((subject) => subject.id === id)) throw new Error(`unknown subject ${id}`);
}
const node = resolveNode(args.node);
const nodeVersion = execFileSync(node, ["--version"], { encoding: "utf8" }).trim().replace(/^v/, "");
const lambda = args["build-lambda"]
  ? await buildLambda(join(work, "bundles"))
  : { bundle: resolve(args.lambda), meta: resolve(args["lambda-meta"]) };
const subjects = [
  ...(await buildSubjects(join(work, "bundles"), lambda, only)),
  ...args.extra.map((spec) => extraSubject(spec)),
];
log(`built ${subjects.map((subject) => subject.id).join(", ")}; Node ${nodeVersion} at ${node}`);

const backend = await startBackend(work, { tls: !args["no-tls"] });
const workDir = join(work, "sessions");
mkdirSync(workDir, { recursive: true });

const cold = new Map<string, ColdResult[]>(subjects.map((subject) => [subject.id, []]));
const warm = new Map<string, WarmResult>();
const warmPlan: WarmPlan = {
  listRequests: positive(args["warm-list"], "--warm-list"),
  warmupRequests: positive(args["warm-warmup"], "--warm-warmup"),
  pairs: positive(args["warm-pairs"], "--warm-pairs"),
};
try {
  for (let round = 0; round < sessions; round++) {
    // Rotate the order each round, so no subject always runs first or right after the same neighbour.
    const order = subjects.map((_, index) => subjects[(index + round) % subjects.length]);
    const line: string[] = [];
    for (const subject of order) {
      if (subject === undefined) continue;
      const result = await runColdSession(subject, { node, backend, workDir });
      cold.get(subject.id)?.push(result);
      const invoke = REQUEST_LABELS.reduce((sum, label) => sum + result.requests[label].cpuMs, 0);
      line.push(`${subject.id} ${modelledColdMs(result.init.cpuMs, invoke, MEMORY_MB).toFixed(0)} ms`);
    }
    log(`cold round ${round + 1}/${sessions}: ${line.join(", ")}`);
  }
  if (!args["no-warm"]) {
    for (const subject of subjects) {
      const result = await runWarm(subject, warmPlan, { node, backend, workDir });
      warm.set(subject.id, result);
      if (result.error !== undefined) {
        log(`warm ${subject.id}: ${result.error}`);
        continue;
      }
      log(
        `warm ${subject.id}: tools/list ${Math.round(result.toolsList.perSecond)}/s, ` +
          `create+search ${result.createSearch.pairsPerSecond.toFixed(0)} pairs/s, ` +
          `RSS ${result.memory.beforeList.rssMiB.toFixed(1)} -> ${result.memory.afterList.rssMiB.toFixed(1)} MiB`,
      );
    }
  }
} finally {
  await backend.stop();
}

const results: BenchResults = {
  date: new Date().toISOString(),
  command: commandLine(process.argv.slice(2)),
  notes: args.note,
  machine: describeMachine(),
  loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
  node: nodeVersion,
  nodeFlags: lambdaNodeFlags(),
  tls: backend.tls,
  memoryMb: MEMORY_MB,
  sessionsPerSubject: sessions,
  ...(args["no-warm"] ? {} : { warmPlan }),
  subjects: subjects.map((subject): SubjectResults => {
    const warmResult = warm.get(subject.id);
    return {
      id: subject.id,
      title: subject.title,
      description: subject.description,
      size: subject.size,
      sessions: cold.get(subject.id) ?? [],
      ...(warmResult === undefined ? {} : { warm: warmResult }),
    };
  }),
};
writeReport(resolve(args.out), results);
for (const target of judgeTargets(summarise(results))) {
  log(
    `${target.met === undefined ? "-  " : target.met ? "ok " : "NO "} ${target.name}: ${target.actual} (${target.limit})`,
  );
}
log(`wrote ${join(resolve(args.out), "results.md")}, chart.svg and results.json`);

function writeReport(out: string, results: BenchResults): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(out, "results.md"), renderMarkdown(results));
  writeFileSync(join(out, "chart.svg"), renderChart(results));
}

/** How to rerun this: `npm run bench` with the arguments that change what is measured. */
function commandLine(argv: readonly string[]): string {
  const kept = argv.filter((arg, index) => {
    const flag = arg.split("=")[0] ?? "";
    if (["--note", "--out", "--work"].includes(flag)) return false;
    const previous = argv[index - 1];
    return !(
      previous !== undefined &&
      ["--note", "--out", "--work"].includes(previous) &&
      !arg.startsWith("--")
    );
  });
  return kept.length === 0 ? "npm run bench" : `npm run bench -- ${kept.join(" ")}`;
}

function positive(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`${flag} must be a positive integer, got ${value}`);
  return number;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
