// Pins down how the generated input validators count a string's length for minLength and maxLength: in
// Unicode code points, as JSON Schema defines it (a surrogate pair is one, a lone surrogate is one), so that
// 10,000 emoji fit a memory just as 10,000 letters do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { input } from "../src/generated/input-validators.js";

/** The keywords a create_memory call with this content fails on (none when it is valid). */
function contentErrors(content: string): string[] {
  input.create_memory({ content });
  return (input.create_memory.errors ?? []).map((error) => `${error.instancePath} ${error.keyword}`);
}

test("maxLength counts a surrogate pair as one: 10,000 emoji fit a memory, 10,001 do not", () => {
  assert.deepEqual(contentErrors("🦕".repeat(10_000)), []);
  assert.deepEqual(contentErrors("🦕".repeat(10_001)), ["/content maxLength"]);
});

test("letters, accents and emoji mixed count one each", () => {
  assert.deepEqual(contentErrors("Zoë🦕".repeat(2_500)), []);
  assert.deepEqual(contentErrors(`${"Zoë🦕".repeat(2_500)}x`), ["/content maxLength"]);
});

test("a lone surrogate counts as one code point", () => {
  assert.deepEqual(contentErrors(`${"a".repeat(9_999)}\uD83E`), []);
  assert.deepEqual(contentErrors(`${"a".repeat(9_999)}\uDD95\uD83E`), ["/content maxLength"]);
});

test("minLength counts code points too: one emoji is a tag, an empty string is not", () => {
  assert.equal(input.create_memory({ content: "x", tags: ["🦕"] }), true);
  assert.equal(input.create_memory({ content: "x", tags: [""] }), false);
  assert.deepEqual(
    (input.create_memory.errors ?? []).map((error) => `${error.instancePath} ${error.keyword}`),
    ["/tags/0 minLength", "/tags/0 pattern"],
  );
  assert.equal(input.create_memory({ content: "x", tags: ["🦕".repeat(40)] }), true);
  assert.equal(input.create_memory({ content: "x", tags: ["🦕".repeat(41)] }), false);
});
