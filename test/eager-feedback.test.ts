// Pins down withEagerFeedback() (src/eager-feedback.ts) through V8 itself: a function first run inside it has a
// feedback vector after one call, one first run after it has none (V8's default is back), also after the work
// rejected; and the work's value or rejection passes through. V8 is asked with %DebugPrint in a child process
// started with --allow-natives-syntax.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { withEagerFeedback } from "../src/eager-feedback.ts";

/**
 * Runs `script` (ES module text, may use %-natives through `new Function`) with the module imported, and returns
 * what it printed. Into a file, not a pipe: V8 prints from C++, and what it buffers for a pipe may be lost when
 * the process exits.
 */
function runChild(script: string): string {
  const module = new URL("../src/eager-feedback.ts", import.meta.url).href;
  const source = `import { withEagerFeedback } from ${JSON.stringify(module)};\n${script}`;
  const dir = mkdtempSync(join(tmpdir(), "eager-feedback-"));
  const file = join(dir, "stdout.txt");
  const stdout = openSync(file, "w");
  try {
    execFileSync(
      process.execPath,
      ["--allow-natives-syntax", "--import", "tsx", "--input-type=module", "--eval", source],
      { stdio: ["ignore", stdout, "inherit"] },
    );
    return readFileSync(file, "utf8");
  } finally {
    closeSync(stdout);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The child's probe: defines a fresh function, calls it once and has V8 print it (to stdout, from C++, so the
 * child prints nothing else).
 */
const PROBE = `
const debugPrint = new Function("f", "%DebugPrint(f)");
let probes = 0;
function probe() {
  // A new source each time: V8 caches compiled \`new Function\` code, and its feedback with it.
  probes += 1;
  const f = new Function("o", \`return o.a + \${probes}\`);
  f({ a: 1 });
  debugPrint(f);
}
`;

/** For each function V8 printed, in order: whether it had a feedback vector after its one call. */
function feedbackVectors(output: string): boolean[] {
  return [...output.matchAll(/^ - feedback vector: (.*)$/gm)].map(
    ([, line = ""]) => !line.startsWith("No feedback vector"),
  );
}

test("a function first run inside gets a feedback vector at once; before and after, V8's default holds", () => {
  const output = runChild(`${PROBE}
probe();
await withEagerFeedback(async () => probe());
probe();
try {
  await withEagerFeedback(async () => { throw new Error("boom"); });
} catch {}
probe();
`);
  // before, inside, after, after a rejected work
  assert.deepEqual(feedbackVectors(output), [false, true, false, false]);
});

test("passes the work's value and its rejection through", async () => {
  assert.equal(await withEagerFeedback(async () => 42), 42);
  await assert.rejects(
    withEagerFeedback(async () => {
      throw new RangeError("no");
    }),
    { name: "RangeError", message: "no" },
  );
});
