// Reading a `node --cpu-prof` profile of an unminified bundle: which module each line of the bundle belongs
// to, each sample's self time charged to a phase, a module and a function, and the top of a tally. Shared by
// bench/profile.ts (a cold session's phases) and bench/profile-search.ts (warm searches at scale).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One sample's self time, where it fell. */
export interface Sample {
  phase: number;
  module: string;
  /** "name  [module]". */
  function: string;
  ms: number;
}

/**
 * Module of each line of the unminified bundle, from esbuild's "// path" comments. A sample is charged to the
 * line where its function starts, so a module's top-level code counts as the bundle's (the "(bundle prelude)").
 */
export function moduleLines(bundle: string): string[] {
  const moduleAt: string[] = [];
  let current = "(bundle prelude)";
  for (const line of readFileSync(bundle, "utf8").split("\n")) {
    const marker = /^\/\/ ((?:node_modules|src|bench|schemas)\/\S+|package\.json)$/.exec(line);
    if (marker?.[1] !== undefined) current = shortModule(marker[1]);
    moduleAt.push(current);
  }
  return moduleAt;
}

/**
 * The samples of the one .cpuprofile in `dir` (a profile of `bundle`), idle time left out, each charged to
 * the phase `phaseOf` gives its time (µs, the profile's clock); a phase below 0 leaves the sample out.
 */
export function readSamples(
  dir: string,
  bundle: string,
  moduleAt: readonly string[],
  phaseOf: (time: number) => number,
): Sample[] {
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`node wrote no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile; // written by node --cpu-prof
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const bundleUrl = `file://${bundle}`;
  const samples: Sample[] = [];
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
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    samples.push({ phase, module, function: `${functionName || "(anonymous)"}  [${module}]`, ms });
  }
  return samples;
}

/**
 * The phase of a sample's time given a session's hrtime marks (bench/cold-session.mjs: INIT's start and end,
 * then each request's): 0 for INIT, n for request n, -1 between them.
 */
export function phaseOfMarks(marks: readonly string[]): (time: number) => number {
  const bounds = marks.map((mark) => Number(BigInt(mark) / 1000n)); // µs, the profile's clock
  return (time) => {
    for (let phase = 0; 2 * phase + 1 < bounds.length; phase++) {
      if (time >= (bounds[2 * phase] ?? 0) && time < (bounds[2 * phase + 1] ?? 0)) return phase;
    }
    return -1;
  };
}

export function add(map: Map<string, number> | undefined, key: string, ms: number): void {
  map?.set(key, (map.get(key) ?? 0) + ms);
}

export function printTop(title: string, map: Map<string, number> | undefined, top: number): void {
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
