// Where a subject's CPU goes in a cold session: runs one session under `node --cpu-prof` on an unminified build
// of the subject (same esbuild options otherwise, so each function keeps its module), then sums the samples'
// self time per phase (INIT and each request) by module and by function.
// Usage: tsx bench/profile.ts [ours|floor|floor-init|sdk-v1|sdk-v2] [--runs 5] [--top 12]
// Figures are per session, averaged over the runs (each a fresh process on a fresh table).
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { lambdaBuildOptions } from "../scripts/lambda-esbuild.mjs";
import { runChildSession } from "./cold.ts";
import { add, moduleLines, phaseOfMarks, printTop, readSamples } from "./cpu-profile.ts";
import { startBackend } from "./lambda-env.ts";
import { REQUEST_LABELS } from "./session.ts";
import { ROOT, SUBJECTS } from "./subjects.ts";

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

const moduleAt = moduleLines(bundle);
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
  const phaseOf = phaseOfMarks(result.marks);
  for (const sample of readSamples(runDir, bundle, moduleAt, phaseOf)) {
    add(modules[sample.phase], sample.module, sample.ms / runs);
    add(functions[sample.phase], sample.function, sample.ms / runs);
  }
}
await backend.stop();

for (const [index, phase] of phases.entries()) {
  const total = [...(modules[index]?.values() ?? [])].reduce((sum, ms) => sum + ms, 0);
  console.log(
    `\n## ${phase}: ${total.toFixed(1)} ms sampled on the main thread, ${measured[index]?.toFixed(1)} ms process CPU (mean of ${runs})`,
  );
  printTop("by module", modules[index], top);
  printTop("by function", functions[index], top);
}
console.log(`\nprofiles: ${dir}/run-*/`);
