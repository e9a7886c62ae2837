// Where a subject's CPU goes in a cold session: runs one session under `node --cpu-prof` on an unminified build
// of the subject (same esbuild options otherwise, so each function keeps its module), then sums the samples'
// self time per phase (INIT and each request) by module and by function.
// Usage: tsx bench/profile.ts [ours|floor|floor-init|sdk-v1|sdk-v2] [--runs 5] [--top 12]
// Figures are per session, averaged over the runs (each a fresh process on a fresh table).
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { lambdaBuildOptions } from "../scripts/lambda-esbuild.mjs";
import { runChildSession } from "./cold.ts";
import { startBackend } from "./lambda-env.ts";
import { REQUEST_LABELS } from "./session.ts";
import { ROOT, SUBJECTS } from "./subjects.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const subjectId = args.find((arg) => !arg.startsWith("--")) ?? "ours";
const topIndex = args.indexOf("--top");
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 12;
const runsIndex = args.indexOf("--runs");
const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 5;
if (!SUBJECTS.some((subject) => subject.id === subjectId)) throw new Error(`unknown subject ${subjectId}`);

const dir = join(ROOT, "dist", "bench", "profile", subjectId);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const bundle = join(dir, "index.mjs");
const entryPoint =
  subjectId === "ours" ? join(ROOT, "src", "lambda.ts") : join(ROOT, "bench", "subjects", `${subjectId}.ts`);
await build({ ...lambdaBuildOptions({ entryPoint, outfile: bundle }), minify: false });

const backend = await startBackend(dir);

// Module of each line of the unminified bundle, from esbuild's "// path" comments. A sample is charged to the
// line where its function starts, so a module's top-level code counts as the bundle's (the "(bundle prelude)").
const moduleAt: string[] = [];
let current = "(bundle prelude)";
for (const line of readFileSync(bundle, "utf8").split("\n")) {
  const marker = /^\/\/ ((?:node_modules|src|bench|schemas)\/\S+|package\.json)$/.exec(line);
  if (marker?.[1] !== undefined) current = shortModule(marker[1]);
  moduleAt.push(current);
}
const bundleUrl = `file://${bundle}`;
const phases = ["INIT", ...REQUEST_LABELS];
const modules = phases.map(() => new Map<string, number>());
const functions = phases.map(() => new Map<string, number>());
const measured = phases.map(() => 0);

for (let run = 0; run < runs; run++) {
  const runDir = join(dir, `run-${run}`);
  mkdirSync(runDir, { recursive: true });
  const result = await runChildSession(bundle, {
    node: process.execPath,
    backend,
    workDir: runDir,
    nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${runDir}`, "--cpu-prof-interval=50"],
    what: `${subjectId} profile`,
  });
  [result.init.cpuMs, ...result.requests.map((request) => request.cpuMs)].forEach((ms, index) => {
    measured[index] = (measured[index] ?? 0) + ms / runs;
  });
  const profileFile = readdirSync(runDir).find((file) => file.endsWith(".cpuprofile"));
  if (profileFile === undefined) throw new Error("node wrote no .cpuprofile");
  const profile = JSON.parse(readFileSync(join(runDir, profileFile), "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const bounds = result.marks.map((mark) => Number(BigInt(mark) / 1000n)); // µs, the profile's clock
  const phaseOf = (time: number): number => {
    // marks: INIT start, INIT end, then the start and end of each request.
    for (let phase = 0; phase < phases.length; phase++) {
      if (time >= (bounds[2 * phase] ?? 0) && time < (bounds[2 * phase + 1] ?? 0)) return phase;
    }
    return -1;
  };
  let time = profile.startTime;
  for (let index = 0; index < profile.samples.length; index++) {
    time += profile.timeDeltas[index] ?? 0;
    const node = byId.get(profile.samples[index] ?? -1);
    const phase = phaseOf(time);
    if (node === undefined || phase < 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    const module =
      url === bundleUrl
        ? (moduleAt[lineNumber] ?? "?")
        : url === ""
          ? functionName
          : url.startsWith("node:")
            ? "node internals"
            : url.replace(/^file:\/\/.*\/bench\//, "bench/");
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000 / runs;
    add(modules[phase], module, ms);
    add(functions[phase], `${functionName || "(anonymous)"}  [${module}]`, ms);
  }
}
await backend.stop();

for (const [index, phase] of phases.entries()) {
  const total = [...(modules[index]?.values() ?? [])].reduce((sum, ms) => sum + ms, 0);
  console.log(
    `\n## ${phase}: ${total.toFixed(1)} ms sampled on the main thread, ${measured[index]?.toFixed(1)} ms process CPU (mean of ${runs})`,
  );
  printTop("by module", modules[index]);
  printTop("by function", functions[index]);
}
console.log(`\nprofiles: ${dir}/run-*/`);

function add(map: Map<string, number> | undefined, key: string, ms: number): void {
  map?.set(key, (map.get(key) ?? 0) + ms);
}

function printTop(title: string, map: Map<string, number> | undefined): void {
  const rows = [...(map ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`  ${title}:`);
  for (const [key, ms] of rows) console.log(`    ${ms.toFixed(2).padStart(7)} ms  ${key}`);
}

/** node_modules/@smithy/core/dist-es/submodules/x.js -> @smithy/core/submodules/x.js */
function shortModule(path: string): string {
  return path
    .replace(/^node_modules\//, "")
    .replace("/dist-es/", "/")
    .replace("/dist-cjs/", "/");
}
