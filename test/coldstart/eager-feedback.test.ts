// Pins down withEagerFeedback() (src/coldstart/eager-feedback.ts) through V8 itself: a function first run inside it has a
// feedback vector after one call, one first run after it has none (V8's default is back), also after the work
// rejected; and the work's value or rejection passes through. V8 is asked with %DebugPrint in a child process
// started with --allow-natives-syntax (./helpers/v8-child.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { withEagerFeedback } from "../../src/coldstart/eager-feedback.ts";
import { importFromSrc, runWithV8Flags } from "../helpers/v8-child.ts";

/** Runs `script` (may use %-natives through `new Function`) with withEagerFeedback imported. */
function runChild(script: string): string {
  return runWithV8Flags(
    ["--allow-natives-syntax"],
    importFromSrc("withEagerFeedback", "coldstart/eager-feedback.ts") + script,
  );
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
