// Pins down how the import formats read a line: which memories it holds, and for a refused line the
// reason, phrased from create_memory's own validator; and how a file is cut into lines of UTF-8 text.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { detectFormat, parseLine } from "../../src/cli/formats.ts";
import { MAX_LINE_BYTES, readLines } from "../../src/cli/lines.ts";

const MEMORY = {
  id: "01JF0000000000000000000001",
  content: "Likes tea",
  tags: ["food"],
  createdAt: "2024-12-01T08:00:00.000Z",
  updatedAt: "2024-12-02T08:00:00.000Z",
  version: 2,
};

describe("jsonl", () => {
  test("a line of the export is restored as it is", () => {
    assert.deepEqual(parseLine("jsonl", JSON.stringify(MEMORY)), {
      ok: true,
      records: [{ kind: "restore", memory: MEMORY }],
    });
  });

  test("refuses with the reason", () => {
    const cases: [unknown, string][] = [
      ["{oops", "not JSON"],
      [[1], "must be a JSON object: one memory"],
      [{ ...MEMORY, extra: 1 }, 'unknown property "extra"'],
      [{ ...MEMORY, version: undefined }, 'missing required property "version"'],
      [{ ...MEMORY, id: "1" }, '"id": must be a memory id (26-character ULID)'],
      [{ ...MEMORY, content: "x".repeat(10_001) }, '"content": must NOT have more than 10000 characters'],
      [{ ...MEMORY, content: "  " }, '"content": must contain some non-whitespace text'],
      [{ ...MEMORY, tags: ["a,b"] }, '"tags.0": must not start or end with whitespace, nor contain commas'],
      [
        { ...MEMORY, createdAt: "yesterday" },
        '"createdAt": must be a UTC time such as 2026-01-02T03:04:05.678Z',
      ],
      [{ ...MEMORY, version: 0 }, '"version": must be a whole number from 1 up'],
      [
        { ...MEMORY, content: "half an emoji \ud83d" },
        '"content": must be well-formed Unicode text (it holds half of a surrogate pair, as when an emoji is cut)',
      ],
    ];
    for (const [value, reason] of cases) {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      assert.deepEqual(parseLine("jsonl", text), { ok: false, reason }, text.slice(0, 80));
    }
  });

  test("10,000 characters is the limit, counted in code points as create_memory counts them", () => {
    const content = "😀".repeat(10_000);
    assert.equal(parseLine("jsonl", JSON.stringify({ ...MEMORY, content })).ok, true);
  });
});

describe("memory-server", () => {
  test("an entity's observations become memories naming it, tagged with its name and type", () => {
    const line = {
      type: "entity",
      name: "John Smith",
      entityType: "person",
      observations: ["Speaks Spanish", "Likes 🍣"],
    };
    assert.deepEqual(parseLine("memory-server", JSON.stringify(line)), {
      ok: true,
      records: [
        { kind: "create", content: "John Smith: Speaks Spanish", tags: ["John Smith", "person"] },
        { kind: "create", content: "John Smith: Likes 🍣", tags: ["John Smith", "person"] },
      ],
    });
  });

  test("an entity without observations is still remembered; a relation becomes a sentence", () => {
    assert.deepEqual(
      parseLine(
        "memory-server",
        JSON.stringify({ type: "entity", name: "Acme", entityType: "company", observations: [] }),
      ),
      { ok: true, records: [{ kind: "create", content: "Acme (company)", tags: ["Acme", "company"] }] },
    );
    assert.deepEqual(
      parseLine(
        "memory-server",
        JSON.stringify({ type: "relation", from: "John Smith", to: "Acme", relationType: "works_at" }),
      ),
      {
        ok: true,
        records: [{ kind: "create", content: "John Smith works_at Acme", tags: ["John Smith", "Acme"] }],
      },
    );
  });

  test("names that are not valid tags are made into tags: commas out, cut to 40 characters between graphemes", () => {
    const name = `Smith, John ${"👨‍👩‍👧".repeat(20)}`;
    const parsed = parseLine(
      "memory-server",
      JSON.stringify({ type: "entity", name, entityType: "person", observations: ["x"] }),
    );
    assert.ok(parsed.ok);
    const tag = parsed.records[0]?.kind === "create" ? parsed.records[0].tags[0] : undefined;
    assert.equal(tag, `Smith John ${"👨‍👩‍👧".repeat(5)}`);
  });

  test("a line with one bad observation is refused whole, naming it", () => {
    const line = { type: "entity", name: "A", entityType: "t", observations: ["fine", "x".repeat(10_000)] };
    assert.deepEqual(parseLine("memory-server", JSON.stringify(line)), {
      ok: false,
      reason: 'observation 2: "content": must NOT have more than 10000 characters',
    });
    assert.deepEqual(parseLine("memory-server", '{"type":"note"}'), {
      ok: false,
      reason: '"type" must be "entity" or "relation"',
    });
    assert.deepEqual(parseLine("memory-server", '{"type":"relation","from":"a","to":""}'), {
      ok: false,
      reason: 'relation: "to" must be a non-empty string',
    });
  });
});

describe("text", () => {
  test("a line or a Markdown bullet is a memory; headings, rules and blank lines are not", () => {
    const memories = [
      "Plain line  ",
      "- bullet",
      "  * nested bullet",
      "3. numbered",
      "- [x] done",
      "# Heading",
      "---",
      "",
      "   ",
    ].map((line) => parseLine("text", line));
    const created = (content: string) => ({ ok: true, records: [{ kind: "create", content, tags: [] }] });
    assert.deepEqual(memories, [
      created("Plain line"),
      created("bullet"),
      created("nested bullet"),
      created("numbered"),
      created("done"),
      { ok: true, records: [] },
      { ok: true, records: [] },
      { ok: true, records: [] },
      { ok: true, records: [] },
    ]);
  });
});

test("the first line tells the format", () => {
  assert.equal(detectFormat(JSON.stringify(MEMORY)), "jsonl");
  assert.equal(
    detectFormat('{"type":"entity","name":"a","entityType":"b","observations":[]}'),
    "memory-server",
  );
  assert.equal(detectFormat("- a note"), "text");
});

describe("lines", () => {
  async function lines(...chunks: (string | Uint8Array)[]): Promise<unknown[]> {
    const source = async function* (): AsyncGenerator<Uint8Array> {
      for (const chunk of chunks) yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    };
    const out: unknown[] = [];
    for await (const line of readLines(source())) out.push(line);
    return out;
  }

  test("splits on LF across chunks, drops a CR before it and a BOM at the start, counts bytes", async () => {
    assert.deepEqual(await lines("\ufeffone\r\ntw", "o 玛\nthree"), [
      { number: 1, bytesRead: 8, text: "one" },
      { number: 2, bytesRead: 16, text: "two 玛" },
      { number: 3, bytesRead: 21, text: "three" },
    ]);
  });

  test("a line that is not UTF-8 or too long is refused alone", async () => {
    const long = "x".repeat(MAX_LINE_BYTES + 1);
    assert.deepEqual(await lines("ok\n", Uint8Array.of(0xff, 0xfe, 0x0a), long, "\nend\n"), [
      { number: 1, bytesRead: 3, text: "ok" },
      { number: 2, bytesRead: 6, error: "not valid UTF-8 text" },
      { number: 3, bytesRead: 7 + MAX_LINE_BYTES + 1, error: "longer than 1 MB: not one record" },
      { number: 4, bytesRead: 7 + MAX_LINE_BYTES + 1 + 4, text: "end" },
    ]);
  });
});
