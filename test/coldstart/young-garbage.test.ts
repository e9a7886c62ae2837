// Pins down collectYoungGarbage() (src/coldstart/young-garbage.ts), the end of the Lambda's INIT: where node runs with
// --expose-gc, as Lambda's Node.js does, it has V8 run one minor collection, a scavenge, and no full one (V8
// reports its collections with --trace-gc, in a child process); without the flag it does nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { collectYoungGarbage } from "../../src/coldstart/young-garbage.ts";
import { importFromSrc, runWithV8Flags } from "../helpers/v8-child.ts";

/** The collections V8 reports for a gc() call ("testing"), by kind. */
function forcedCollections(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => line.includes("testing"))
    .map((line) => /ms: ([A-Za-z-]+)/.exec(line)?.[1] ?? line);
}

test("with --expose-gc: one scavenge, nothing else", () => {
  const output = runWithV8Flags(
    ["--expose-gc", "--trace-gc"],
    `${importFromSrc("collectYoungGarbage", "coldstart/young-garbage.ts")}
const garbage = [];
for (let i = 0; i < 10_000; i++) garbage.push({ i });
collectYoungGarbage();
`,
  );
  assert.deepEqual(forcedCollections(output), ["Scavenge"]);
});

test("without --expose-gc: nothing happens, and nothing throws", () => {
  assert.equal(globalThis.gc, undefined, "the test runner runs without --expose-gc");
  collectYoungGarbage();
});
