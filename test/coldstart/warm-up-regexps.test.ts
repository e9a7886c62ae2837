// Pins down that the INIT warm-up (src/coldstart/warm-up.ts) leaves no regular expression of the tools' argument checks
// for a client's first calls to compile: V8 interprets a regular expression the first time it runs and compiles
// it to machine code the second time, so one the warm-up ran only once would be compiled in the first real call,
// at 128/1769 of a vCPU. Asked of V8 itself (--trace-regexp-tier-up) in a child process (./helpers/v8-child.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { importFromSrc, runWithV8Flags } from "../helpers/v8-child.ts";

/** Validates, as tools/call does, the arguments of every tool call of both warm-up passes, then `after`. */
function tierUpsAfterWarmUp(after: readonly { name: string; arguments: unknown }[]): number {
  // The trace is turned on once the imports are done: tsx's loader, which has regular expressions of its own,
  // is idle from then on.
  const output = runWithV8Flags(
    [],
    `${importFromSrc("DRY_RUN_PASS, READ_ONLY_PASS", "coldstart/warm-up.ts")}${importFromSrc("input", "generated/input-validators.js")}${importFromSrc("validate", "tools/tool.ts")}
(await import("node:v8")).setFlagsFromString("--trace-regexp-tier-up");
const calls = [...READ_ONLY_PASS, ...DRY_RUN_PASS].filter((m) => m.method === "tools/call").map((m) => m.params);
for (const { name, arguments: args } of [...calls, ...${JSON.stringify(after)}]) {
  if (validate(input[name], args).ok !== true) throw new Error("invalid arguments for " + name);
}
`,
  );
  return [...output.matchAll(/needs tier-up compilation/g)].length;
}

test("a client's first create and search compile no regular expression the warm-up's did not", () => {
  const warmUpOnly = tierUpsAfterWarmUp([]);
  const withClientCalls = tierUpsAfterWarmUp([
    { name: "create_memory", arguments: { content: "My daughter was born in March.", tags: ["family"] } },
    { name: "search_memories", arguments: { query: "daughter's birthday" } },
    { name: "list_memories", arguments: { limit: 10, tags: ["family"] } },
  ]);
  assert.ok(warmUpOnly > 0, "the warm-up itself compiled no regular expression: is the trace working?");
  assert.equal(withClientCalls, warmUpOnly);
});
