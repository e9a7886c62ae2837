// Pins down codePointLength, which the generated validators use for minLength and maxLength instead of ajv's
// ucs2length: the same count for every string, lone surrogates included, as JSON Schema defines it.
import assert from "node:assert/strict";
import { test } from "node:test";
import ucs2length from "ajv/dist/runtime/ucs2length.js";
import fc from "fast-check";
import { codePointLength } from "../src/code-point-length.ts";
import { input } from "../src/generated/input-validators.js";

test("counts code points: a pair of surrogates is one, a lone surrogate is one", () => {
  assert.deepStrictEqual(
    [
      "",
      "abc",
      "Zoë",
      "🦕",
      "a🦕b🦕",
      "\uD83E",
      "\uDD95",
      "\uDD95\uD83E",
      "x\uD83E",
      "\uD83E\uD83E\uDD95",
    ].map(codePointLength),
    [0, 3, 3, 1, 4, 1, 1, 2, 2, 2],
  );
});

test("agrees with ajv's ucs2length on any UTF-16 string (fixed seed)", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
      assert.equal(codePointLength(text), ucs2length.default(text));
    }),
    { seed: 20261122, numRuns: 2_000 },
  );
});

test("the generated validators use it: 10,000 emoji fit a memory, 10,001 do not", () => {
  assert.equal(input.create_memory({ content: "🦕".repeat(10_000) }), true);
  assert.equal(input.create_memory({ content: "🦕".repeat(10_001) }), false);
  assert.equal(input.create_memory.errors?.[0]?.keyword, "maxLength");
});
