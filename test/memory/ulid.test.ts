// Pins down memory ids: 26-character Crockford base32 ULIDs whose order is creation order, also within
// one millisecond and when the clock steps back, so "newest first" by sort key is right.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createUlidGenerator, isUlid } from "../../src/memory/ulid.ts";

const zeros = (size: number): Uint8Array => new Uint8Array(size);
const ones = (size: number): Uint8Array => new Uint8Array(size).fill(0xff);

test("encodes 48 bits of time then 80 bits of randomness", () => {
  assert.equal(createUlidGenerator(zeros)(0), "00000000000000000000000000");
  assert.equal(createUlidGenerator(ones)(2 ** 48 - 1), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  // 1469918176385 ms is the ULID spec's example time, "01ARYZ6S41".
  assert.equal(createUlidGenerator(zeros)(1_469_918_176_385), "01ARYZ6S410000000000000000");
});

test("ids sort in the order they were made, within a millisecond and when the clock steps back", () => {
  const next = createUlidGenerator();
  const times = [1_000, 1_000, 1_000, 999, 2_000, 2_000];
  const ids = times.map((time) => next(time));
  assert.deepStrictEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every(isUlid));
});

test("within a millisecond the random part counts up by one", () => {
  const next = createUlidGenerator(zeros);
  assert.deepStrictEqual(
    [next(5), next(5), next(5)],
    ["00000000050000000000000000", "00000000050000000000000001", "00000000050000000000000002"],
  );
});

test("counting up carries from byte to byte", () => {
  const next = createUlidGenerator(() => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
  // 0xffff is 1Z...: 65535 = 1 * 32^3 + 31 * 32^2 + 31 * 32 + 31; one more is 2000.
  assert.deepStrictEqual(
    [next(5), next(5)],
    ["0000000005000000000000" + "1ZZZ", "0000000005000000000000" + "2000"],
  );
});

test("the random part is the generator's bytes, most significant first", () => {
  const bytes = Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32]);
  // 0x0123456789abcdef1032 in base 32, checked with BigInt, the straightforward way.
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const expected = [...Array(16).keys()]
    .map((i) => "0123456789ABCDEFGHJKMNPQRSTVWXYZ".charAt(Number((value >> BigInt(5 * (15 - i))) & 31n)))
    .join("");
  assert.equal(createUlidGenerator(() => bytes)(0), `0000000000${expected}`);
});

test("times outside 0 .. 2^48 - 1 and an exhausted millisecond are errors, not wrong ids", () => {
  assert.throws(() => createUlidGenerator()(-1), RangeError);
  assert.throws(() => createUlidGenerator()(2 ** 48), RangeError);
  assert.throws(() => createUlidGenerator()(1.5), RangeError);
  const next = createUlidGenerator(ones);
  next(7);
  assert.throws(() => next(7), RangeError);
});

test("isUlid accepts only 26 upper-case Crockford characters with a first character of at most 7", () => {
  assert.deepStrictEqual(
    [
      "01ARYZ6S410000000000000000",
      "01arYZ6S410000000000000000",
      "81ARYZ6S410000000000000000",
      "01ARYZ6S41000000000000000I",
      "01ARYZ6S41",
      "",
    ].map(isUlid),
    [true, false, false, false, false, false],
  );
});
