// fast-check arbitraries of JSON text for the hardening fuzzers, written piece by piece so that raw number
// literals, duplicate keys, escapes and `__proto__` keys survive; and any text, awkward characters favoured.
import fc from "fast-check";

/** Characters that break naive handling: controls, quotes, escapes, lone surrogates, BOM, separators. */
const AWKWARD_CHARS = [
  "\u0000",
  "\u001f",
  '"',
  "\\",
  "/",
  "\ud800",
  "\udfff",
  "\ufeff",
  "\u2028",
  "\u0301",
  "😀",
  "é",
  "\n",
  " ",
  ",",
  "%",
  "=?base64?",
];

/** Any text, with awkward characters over-represented. */
export const anyText = (maxLength = 30): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: "binary", maxLength }),
    fc
      .array(fc.oneof(fc.constantFrom(...AWKWARD_CHARS), fc.string({ maxLength: 2 })), { maxLength })
      .map((parts) => parts.join("")),
  );

/** JSON string literals, some spelled with escapes that JSON.parse resolves (\u0069, \ud800, \/). */
export const jsonString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: anyText().map((text) => JSON.stringify(text)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('"\\ud800"', '"\\udc00x"', '"\\u0000"', '"\\/"', '"a\\u0069"', '"\\uFEFF"'),
  },
);

/** JSON number literals, including ones a double cannot carry exactly. */
export const jsonNumber: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.integer({ min: 0, max: 20 }).map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
  fc.constantFrom(
    "9007199254740993",
    "-9007199254740993",
    "1e400",
    "-1e400",
    "1e-400",
    "1.00000000000000000001",
    "0.1e1",
    "1E2",
    "-0",
    "0.0",
    "123456789012345678901234567890",
  ),
);

/** A JSON scalar: null, a boolean, a number or a string literal. */
export const scalarJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("null", "true", "false"),
  jsonNumber,
  jsonString,
);

const MEMBER_NAMES = [
  "jsonrpc",
  "id",
  "method",
  "params",
  "result",
  "error",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "name",
  "arguments",
  "_meta",
  "content",
  "tags",
];

const memberName: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...MEMBER_NAMES), anyText(8));

/** Arbitrary JSON text, written by hand so that raw literals, duplicate and `__proto__` keys survive. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalarJson,
    fc.array(tie("value"), { maxLength: 4 }).map((items) => `[${items.join(",")}]`),
    fc
      .array(fc.tuple(memberName, tie("value")), { maxLength: 4 })
      .map((members) => `{${members.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`),
  ),
})).value;

/** Deep nesting that a recursive parser or serialiser would choke on. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 10_000, max: 120_000 }), fc.constantFrom("array", "object"))
  .map(([depth, kind]) => {
    if (kind === "array") return "[".repeat(depth) + "]".repeat(depth);
    const levels = Math.min(depth, 40_000); // six bytes a level: stays under the 256 KiB limit
    return `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
  });
