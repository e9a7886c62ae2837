// The 128 MB soak: the real Lambda module, bundled exactly as deployed (scripts/lambda-esbuild.mjs), runs in
// a child process whose V8 heap is capped as a 128 MB function's must be, against dynalite in this process,
// and serves 20,000 mixed requests (./soak-child.ts). Pins down: no crash and no out-of-memory, resident
// memory always under 128 MB, and no growth once warm; prints a line per 1,000 requests for the note.
//
// The heap cap. A 128 MB function has 128 MB for everything: V8's heap, and what lives outside it (the node
// binary's touched pages, compiled code, the isolate, Buffers, the SDK's HTTP machinery). Lambda's Node.js
// bootstrap gives a 128 MB function --max-semi-space-size=6 and --max-old-space-size=116 (new space = memory
// / 10, old space = the rest), so there V8's limit lies above the function's memory and the sandbox kills
// the process at 128 MB before V8 would object. This child measures what lies outside the heap once loaded
// (the `loaded` line: about 46 MB of RSS beyond heapTotal on Node 20), keeps Lambda's semi-spaces, and caps
// the old space at 128 - 46 - 2 x 6 (the two semi-spaces in use) ~= 70 MB: a leak then ends in a V8
// out-of-memory error inside the budget, and every sample's RSS must stay under 128 MB, the real limit.
//
// No growth. Samples are taken every 1,000 requests: RSS as is, and the heap used right after a forced full
// collection (--expose-gc), which is live data only. The first quarter is warm-up (lazy compilation, the
// SDK's first calls, V8 growing its pools). The criterion compares medians, which one noisy sample cannot
// sway: the last quarter's median must stay within 10% of the second quarter's, for RSS and for the live
// heap. A leak of 200 bytes a request (2 MB over the 10,000 requests between those medians) fails it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { lambdaBuildOptions } from "../../scripts/lambda-esbuild.mjs";
import { ensureTable } from "../../src/dynamodb/memory-store.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import { assertLogLines, assertNothingSecret, SECRET_DIGESTS } from "./support.ts";

const FUNCTION_MEMORY_MB = 128;
const OLD_SPACE_MB = Number(process.env.HARDENING_SOAK_OLD_SPACE_MB ?? 70);
/** As Lambda's Node.js bootstrap sets it for 128 MB: new space = 128 / 10, half of it per semi-space. */
const SEMI_SPACE_MB = 6;
const REQUESTS = Number(process.env.HARDENING_SOAK_REQUESTS ?? 20_000);
const MB = 1024 * 1024;

let database: Dynalite;
let workDir: string;
before(async () => {
  database = await startDynalite();
  workDir = mkdtempSync(join(tmpdir(), "memory-soak-"));
});
after(async () => {
  await database.stop();
  rmSync(workDir, { recursive: true, force: true });
});

interface Sample {
  phase: string;
  requests?: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  heapAfterGc?: number;
  heapSizeLimit?: number;
  unexpected?: number;
  examples?: string[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const mb = (bytes: number): string => (bytes / MB).toFixed(1);

test(`${REQUESTS} mixed requests under a ${FUNCTION_MEMORY_MB} MB budget: no crash, no growth`, async () => {
  const tableName = `soak-${randomUUID()}`;
  await ensureTable(database.client, tableName);
  const bundle = join(workDir, "soak.mjs");
  const here = dirname(fileURLToPath(import.meta.url));
  await build({
    ...lambdaBuildOptions({ entryPoint: join(here, "soak-child.ts"), outfile: bundle }),
    metafile: false,
  });

  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const flags = [
    `--max-old-space-size=${OLD_SPACE_MB}`,
    `--max-semi-space-size=${SEMI_SPACE_MB}`,
    "--expose-gc",
  ];
  const child = spawn(process.execPath, [...flags, bundle], {
    env: {
      ...inherited,
      TABLE_NAME: tableName,
      MCP_API_KEY_SHA256: SECRET_DIGESTS.join(","),
      AWS_ENDPOINT_URL_DYNAMODB: database.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      SOAK_REQUESTS: String(REQUESTS),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const samples: Sample[] = [];
  const otherErr: string[] = [];
  const logLines: string[] = [];
  const stdoutOther: string[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith('{"level"')) logLines.push(line);
    else stdoutOther.push(line);
  });
  createInterface({ input: child.stderr }).on("line", (line) => {
    if (line.startsWith("SOAK ")) samples.push(JSON.parse(line.slice(5)) as Sample);
    else otherErr.push(line);
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );

  const loaded = samples.find((sample) => sample.phase === "loaded");
  const periodic = samples.filter((sample) => sample.phase === "sample");
  const done = samples.find((sample) => sample.phase === "done");
  const lines = [
    `soak: node ${process.version}, ${flags.join(" ")}, heap size limit ${mb(loaded?.heapSizeLimit ?? 0)} MB`,
    `soak: loaded  rss ${mb(loaded?.rss ?? 0)} MB, heap total ${mb(loaded?.heapTotal ?? 0)} MB (used ${mb(loaded?.heapUsed ?? 0)} MB), so ${mb((loaded?.rss ?? 0) - (loaded?.heapTotal ?? 0))} MB outside the V8 heap`,
    ...periodic.map(
      (s) =>
        `soak: ${String(s.requests).padStart(6)} requests  rss ${mb(s.rss)} MB  heap total ${mb(s.heapTotal)} MB  used ${mb(s.heapUsed)} MB  live after GC ${mb(s.heapAfterGc ?? 0)} MB`,
    ),
  ];
  console.log(lines.join("\n"));

  assert.equal(signal, null, `the child was killed by ${signal}`);
  assert.equal(code, 0, `the child failed:\n${otherErr.slice(-20).join("\n")}`);
  assert.ok(
    !otherErr.some((line) => /heap out of memory|Allocation failed/i.test(line)),
    otherErr.join("\n"),
  );
  assert.deepEqual(
    { requests: done?.requests, unexpected: done?.unexpected, examples: done?.examples },
    { requests: REQUESTS, unexpected: 0, examples: [] },
  );
  assert.equal(periodic.length, Math.floor(REQUESTS / 1_000));

  const peakRss = Math.max(...periodic.map((s) => s.rss));
  assert.ok(peakRss < FUNCTION_MEMORY_MB * MB, `peak RSS ${mb(peakRss)} MB`);
  const quarter = Math.floor(periodic.length / 4);
  const second = periodic.slice(quarter, 2 * quarter);
  const last = periodic.slice(periodic.length - quarter);
  for (const measure of ["rss", "heapAfterGc"] as const) {
    const before = median(second.map((s) => s[measure] ?? 0));
    const after = median(last.map((s) => s[measure] ?? 0));
    console.log(`soak: ${measure} median ${mb(before)} MB (2nd quarter) -> ${mb(after)} MB (last quarter)`);
    assert.ok(after <= before * 1.1, `${measure} grew from ${mb(before)} to ${mb(after)} MB`);
  }

  // The INIT line, then one log line a request; none holds a key, a digest or a memory's content.
  const [initLine, ...requestLines] = logLines;
  assert.equal(JSON.parse(initLine ?? "{}").msg, "init");
  assert.equal(
    requestLines.length,
    REQUESTS,
    `stdout besides log lines: ${stdoutOther.slice(0, 5).join("\n")}`,
  );
  assertLogLines(requestLines);
  assertNothingSecret(
    [...logLines, ...stdoutOther, ...otherErr].join("\n"),
    ["soakmark"],
    "the soak's output",
  );
});
