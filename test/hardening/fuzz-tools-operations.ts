// The operations the tool fuzzer (fuzz-tools.test.ts) draws: creates (new, duplicate, whitespace and NFC
// variants), updates (with and without expectedVersion), deletes, gets, lists and searches, and garbage
// arguments, over texts, tags and targets that mix valid values with broken ones.
import fc from "fast-check";
import { TOOL_NAMES } from "../helpers/tool-names.ts";
import { anyText, jsonText } from "./generators-json.ts";

export type ToolName = (typeof TOOL_NAMES)[number];

export type Text =
  | { kind: "marked"; tail: string }
  | { kind: "raw"; text: string }
  /** Another stored memory's content (a duplicate), or its first word (a query that hits). */
  | { kind: "existing"; pick: number }
  /** The target memory's own content (an update that may change nothing). */
  | { kind: "current" };

export type Operation =
  | { op: "create"; content: Text; tags: unknown }
  | { op: "recreate"; pick: number; variant: "same" | "spaces" | "nfd" | "padded" }
  | {
      op: "update";
      target: Target;
      content?: Text;
      tags?: unknown;
      expected: "none" | "current" | "stale" | number;
    }
  | { op: "delete"; target: Target }
  | { op: "get"; target: Target }
  | { op: "list"; limit: number; tags: unknown }
  | { op: "search"; query: Text; tags: unknown }
  | { op: "garbage"; tool: ToolName; argsText: string };

export type Target = { kind: "pick"; pick: number; lower: boolean } | { kind: "id"; id: string };

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const text: fc.Arbitrary<Text> = fc.oneof(
  { weight: 5, arbitrary: anyText(40).map((tail): Text => ({ kind: "marked", tail })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        anyText(20),
        fc.constantFrom(
          "",
          " ",
          "\n\t ",
          "a",
          "A",
          "café",
          "cafe\u0301",
          "x".repeat(10_000),
          "y".repeat(10_001),
        ),
        fc.constantFrom(
          "half \ud83d of an emoji",
          "\udc00 trailing half",
          "😀".repeat(5_000),
          "😀".repeat(5_001),
        ),
      )
      .map((text): Text => ({ kind: "raw", text })),
  },
);

const tag = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "family",
      "Family",
      "work",
      "health",
      "é",
      "e\u0301",
      "__proto__",
      "constructor",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(" lead", "trail ", "a,b", "", "t".repeat(40), "t".repeat(41), "half\ud800"),
  },
  { weight: 1, arbitrary: anyText(8) },
);

const tags: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.array(tag, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.constant("x"), { minLength: 11, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom("family", 3, null, {}, [1]) },
);

const target: fc.Arbitrary<Target> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("pick" as const), pick: fc.nat(), lower: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc
          .array(fc.constantFrom(...CROCKFORD), { minLength: 26, maxLength: 26 })
          .map((chars) => chars.join("")),
        fc.constantFrom(
          "00000000000000000000000000",
          "7ZZZZZZZZZZZZZZZZZZZZZZZZZ",
          "ILOU0000000000000000000000",
        ),
        anyText(27),
      )
      .map((id): Target => ({ kind: "id", id })),
  },
);

export const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("create" as const), content: text, tags }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("recreate" as const),
      pick: fc.nat(),
      variant: fc.constantFrom("same" as const, "spaces" as const, "nfd" as const, "padded" as const),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        op: fc.constant("update" as const),
        target,
        content: fc.oneof(
          { weight: 2, arbitrary: text },
          { weight: 1, arbitrary: fc.constant<Text>({ kind: "current" }) },
          { weight: 2, arbitrary: fc.nat().map((pick): Text => ({ kind: "existing", pick })) },
        ),
        tags,
        expected: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom("none" as const, "current" as const, "stale" as const) },
          { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, 2 ** 53) },
        ),
      },
      { requiredKeys: ["op", "target", "expected"] },
    ),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), target }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("get" as const), target }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("list" as const),
      limit: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 1, max: 4 }) },
        { weight: 1, arbitrary: fc.constantFrom(0, 51, 1.5, 50) },
      ),
      tags,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("search" as const),
      query: fc.oneof(
        text,
        fc.nat().map((pick): Text => ({ kind: "existing", pick })),
      ),
      tags,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("garbage" as const),
      tool: fc.constantFrom(...TOOL_NAMES),
      argsText: fc.oneof(
        jsonText,
        fc.constantFrom(
          '{"__proto__":{"content":"x"}}',
          '{"content":"x","__proto__":{}}',
          '{"constructor":"x","content":"y"}',
          '{"id":"01ARZ3NDEKTSV4RRFFQ69G5FAV","content":null}',
          '{"limit":1e400}',
          '{"query":"x","limit":25.000000000000001}',
          "[]",
          "null",
          '"x"',
        ),
      ),
    }),
  },
);
