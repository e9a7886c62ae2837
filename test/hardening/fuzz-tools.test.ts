// Model-based fuzzing of the six tools against dynalite: random sequences of creates (new, duplicate,
// whitespace and NFC variants), updates (with and without expectedVersion), deletes, gets, lists and
// searches, mixed with arbitrary arguments, run through the real app and checked call by call against a
// model of what must be stored. Proves that valid calls do exactly what they say (nothing lost, nothing
// stored twice), invalid ones are isError results that change nothing, answers fit the output schemas,
// the table never holds a half-written change, and no log line holds a key or a memory's content.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { createApp } from "../../src/app.ts";
import { createDynamoDbStore, ensureTable } from "../../src/dynamodb/memory-store.ts";
import { input } from "../../src/generated/input-validators.js";
import { output } from "../../src/generated/output-validators.js";
import { createLogger } from "../../src/protocol/log.ts";
import { TEST_API_KEY } from "../fixtures/events.ts";
import { type Dynalite, startDynalite, TEST_CURSOR_SECRET } from "../helpers/dynalite.ts";
import { anyText, jsonText, TOOL_NAMES } from "./generators.ts";
import {
  assertConsistentTable,
  assertLogLines,
  assertNothingSecret,
  assertWellFormedAnswer,
  type CapturedOutput,
  captureProcessOutput,
  runs,
  SECRET_DIGESTS,
  SEED,
} from "./support.ts";

type ToolName = (typeof TOOL_NAMES)[number];

let database: Dynalite;
let processOutput: CapturedOutput;
const logLines: string[] = [];
/** Every marked content and query sent: none may reach a log line. */
const secrets = new Set<string>();
let tableCounter = 0;

before(async () => {
  database = await startDynalite();
  processOutput = captureProcessOutput();
});
after(async () => {
  processOutput.restore();
  await database.stop();
});

interface ToolResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

interface Harness {
  call(tool: string, argsText: string): Promise<ToolResult>;
  tableName: string;
}

let rpcId = 0;
async function harness(): Promise<Harness> {
  const tableName = `fuzz-${++tableCounter}`;
  await ensureTable(database.client, tableName);
  const app = createApp({
    env: { MCP_API_KEY_SHA256: SECRET_DIGESTS[0] },
    defaultOrigins: [],
    store: createDynamoDbStore({ client: database.client, tableName, cursorSecret: TEST_CURSOR_SECRET }),
    logger: createLogger((line) => logLines.push(line)),
  });
  return {
    tableName,
    async call(tool, argsText) {
      const body = `{"jsonrpc":"2.0","id":${++rpcId},"method":"tools/call","params":{"name":${JSON.stringify(tool)},"arguments":${argsText}}}`;
      const answer = await app({
        method: "POST",
        path: "/mcp",
        headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json" },
        body,
      });
      assertWellFormedAnswer(answer, body);
      assert.equal(answer.status, 200, answer.body);
      const { result } = JSON.parse(answer.body) as { result: ToolResult };
      assert.equal(result.content.length, 1, answer.body);
      assert.equal(result.content[0]?.type, "text", answer.body);
      if (result.isError === true) {
        assert.equal(result.structuredContent, undefined, answer.body);
      } else {
        const validate = output[tool as ToolName];
        assert.ok(validate(result.structuredContent), `${tool} output: ${JSON.stringify(validate.errors)}`);
        assert.deepEqual(JSON.parse(result.content[0]?.text ?? ""), result.structuredContent);
      }
      return result;
    },
  };
}

// --- the model --------------------------------------------------------------------------------------

interface ModelMemory {
  id: string;
  content: string;
  tags: string[];
  version: number;
}

/** What dedupe compares: NFC, whitespace runs as one space, trimmed (compared as text, not by hash). */
function dedupeKey(content: string): string {
  return content.normalize("NFC").replace(/\s+/gu, " ").trim();
}

/** Lower case, deduplicated, in the order given. */
function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.normalize("NFC").toLowerCase().trim()))];
}

/** A UTF-16 surrogate not paired with its other half (in a `u` regular expression). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Schema-valid and made of well-formed Unicode: what a tool must accept. */
function acceptable(tool: ToolName, args: unknown): boolean {
  return input[tool](args) && !hasLoneSurrogate(args);
}

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasLoneSurrogate);
  return false;
}

// --- the operations ---------------------------------------------------------------------------------

type Text =
  | { kind: "marked"; tail: string }
  | { kind: "raw"; text: string }
  /** Another stored memory's content (a duplicate), or its first word (a query that hits). */
  | { kind: "existing"; pick: number }
  /** The target memory's own content (an update that may change nothing). */
  | { kind: "current" };

type Operation =
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

type Target = { kind: "pick"; pick: number; lower: boolean } | { kind: "id"; id: string };

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

const operation: fc.Arbitrary<Operation> = fc.oneof(
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

const outcomes = new Map<string, number>();
function count(outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

let markerCounter = 0;
/** The text to send; `existing` and `current` read the model (`current` needs the target's content). */
function materialise(value: Text, memories: readonly ModelMemory[] = [], current?: string): string {
  if (value.kind === "raw") return value.text;
  if (value.kind === "current") return current ?? "no such memory";
  if (value.kind === "existing") {
    const content = memories[value.pick % Math.max(1, memories.length)]?.content ?? "nothing stored yet";
    return content;
  }
  // A unique, searchable word: the log check below looks for it.
  const marker = `zq${(++markerCounter).toString(36)}mark${SEED.toString(36)}`;
  secrets.add(marker);
  return `${marker} ${value.tail}`;
}

// --- the interpreter ----------------------------------------------------------------------------------

async function run(operations: readonly Operation[]): Promise<void> {
  const { call, tableName } = await harness();
  const model = new Map<string, ModelMemory>();
  const byKey = (key: string): ModelMemory | undefined =>
    [...model.values()].find((memory) => dedupeKey(memory.content) === key);
  const resolve = (t: Target): { id: string; known: ModelMemory | undefined } => {
    if (t.kind === "id") return { id: t.id, known: model.get(t.id.toUpperCase()) };
    const ids = [...model.keys()];
    if (ids.length === 0) return { id: "00000000000000000000000000", known: undefined };
    const id = ids[t.pick % ids.length] as string;
    return { id: t.lower ? id.toLowerCase() : id, known: model.get(id) };
  };
  const invalid = (tool: ToolName, result: ToolResult, args: unknown): void => {
    assert.equal(result.isError, true, `${tool} accepted ${JSON.stringify(args)}`);
    const message = result.content[0]?.text ?? "";
    assert.ok(message.startsWith(`Invalid arguments for ${tool}: `), message);
    count(`invalid ${tool}`);
    if (input[tool](args) && hasLoneSurrogate(args)) assert.match(message, /well-formed Unicode/);
  };

  for (const operation of operations) {
    switch (operation.op) {
      case "create":
      case "recreate": {
        let content: string;
        let tagsArg: unknown;
        if (operation.op === "create") {
          content = materialise(operation.content);
          tagsArg = operation.tags;
        } else {
          const memories = [...model.values()];
          const original = memories[operation.pick % Math.max(1, memories.length)];
          if (original === undefined) continue;
          content = {
            same: original.content,
            spaces: original.content.replace(/ /g, "  \t"),
            nfd: original.content.normalize("NFD"),
            padded: `\n ${original.content} \n`,
          }[operation.variant];
          tagsArg = undefined;
        }
        const args = tagsArg === undefined ? { content } : { content, tags: tagsArg };
        const result = await call("create_memory", JSON.stringify(args));
        if (!acceptable("create_memory", args)) {
          invalid("create_memory", result, args);
          break;
        }
        assert.notEqual(result.isError, true, result.content[0]?.text);
        const { memory, duplicate } = result.structuredContent as { memory: ModelMemory; duplicate: boolean };
        const existing = byKey(dedupeKey(content));
        if (existing) {
          // Stored once: the existing memory comes back untouched.
          assert.deepEqual({ duplicate, memory: pick(memory) }, { duplicate: true, memory: existing });
          count(`duplicate create (${operation.op === "create" ? "same" : operation.variant})`);
        } else {
          assert.equal(duplicate, false);
          assert.equal(model.has(memory.id), false, "a new id");
          const expected = {
            id: memory.id,
            content,
            tags: normaliseTags((tagsArg as string[]) ?? []),
            version: 1,
          };
          assert.deepEqual(pick(memory), expected);
          model.set(memory.id, expected);
          count("create");
        }
        break;
      }
      case "update": {
        const { id, known } = resolve(operation.target);
        const args: Record<string, unknown> = { id };
        if (operation.content !== undefined)
          args.content = materialise(
            operation.content,
            [...model.values()].filter((memory) => memory.id !== known?.id),
            known?.content,
          );
        if (operation.tags !== undefined) args.tags = operation.tags;
        if (operation.expected === "current") args.expectedVersion = known?.version ?? 1;
        else if (operation.expected === "stale") args.expectedVersion = (known?.version ?? 1) + 1;
        else if (operation.expected !== "none") args.expectedVersion = operation.expected;
        const result = await call("update_memory", JSON.stringify(args));
        const message = result.content[0]?.text ?? "";
        if (!acceptable("update_memory", args)) {
          invalid("update_memory", result, args);
          break;
        }
        if (args.content === undefined && args.tags === undefined) {
          assert.equal(
            message,
            'Invalid arguments for update_memory: give "content", "tags" or both to change.',
          );
          break;
        }
        if (known === undefined) {
          assert.deepEqual(
            { isError: result.isError, message },
            { isError: true, message: `No memory has id ${id.toUpperCase()}.` },
          );
          break;
        }
        if (args.expectedVersion !== undefined && args.expectedVersion !== known.version) {
          assert.equal(result.isError, true, message);
          assert.ok(
            message.startsWith(
              `Memory ${known.id} is at version ${known.version}, not ${args.expectedVersion}`,
            ),
            message,
          );
          count("version conflict");
          break;
        }
        const content = (args.content as string | undefined) ?? known.content;
        const nextTags = args.tags === undefined ? known.tags : normaliseTags(args.tags as string[]);
        const holder = byKey(dedupeKey(content));
        if (holder !== undefined && holder.id !== known.id) {
          assert.deepEqual(
            { isError: result.isError, message },
            {
              isError: true,
              message: `Memory ${holder.id} already holds this content; update or delete that memory instead.`,
            },
          );
          count("duplicate content");
          break;
        }
        assert.notEqual(result.isError, true, message);
        const { memory, changed } = result.structuredContent as { memory: ModelMemory; changed: boolean };
        const same = content === known.content && JSON.stringify(nextTags) === JSON.stringify(known.tags);
        const expected = { id: known.id, content, tags: nextTags, version: known.version + (same ? 0 : 1) };
        assert.deepEqual({ memory: pick(memory), changed }, { memory: expected, changed: !same });
        model.set(known.id, expected);
        count(same ? "update unchanged" : "update");
        break;
      }
      case "delete": {
        const { id, known } = resolve(operation.target);
        const args = { id };
        const result = await call("delete_memory", JSON.stringify(args));
        if (!acceptable("delete_memory", args)) {
          invalid("delete_memory", result, args);
          break;
        }
        if (known === undefined) {
          assert.deepEqual(
            { isError: result.isError, message: result.content[0]?.text },
            { isError: true, message: `No memory has id ${id.toUpperCase()}.` },
          );
          break;
        }
        assert.notEqual(result.isError, true, result.content[0]?.text);
        assert.deepEqual(pick((result.structuredContent as { deleted: ModelMemory }).deleted), known);
        model.delete(known.id);
        count("delete");
        break;
      }
      case "get": {
        const { id, known } = resolve(operation.target);
        const args = { id };
        const result = await call("get_memory", JSON.stringify(args));
        if (!acceptable("get_memory", args)) {
          invalid("get_memory", result, args);
          break;
        }
        if (known === undefined) {
          assert.deepEqual(
            { isError: result.isError, message: result.content[0]?.text },
            {
              isError: true,
              message: `No memory has id ${id}. Use search_memories or list_memories to find the right id.`,
            },
          );
          break;
        }
        assert.deepEqual(pick((result.structuredContent as { memory: ModelMemory }).memory), known);
        break;
      }
      case "list": {
        const args: Record<string, unknown> = { limit: operation.limit };
        if (operation.tags !== undefined) args.tags = operation.tags;
        if (!acceptable("list_memories", args)) {
          invalid("list_memories", await call("list_memories", JSON.stringify(args)), args);
          break;
        }
        const wanted = normaliseTags((operation.tags as string[] | undefined) ?? []);
        const expected = [...model.values()]
          .filter((memory) => wanted.every((t) => memory.tags.includes(t)))
          .sort((a, b) => (a.id < b.id ? 1 : -1));
        const seen: ModelMemory[] = [];
        let cursor: string | undefined;
        do {
          const pageArgs = cursor === undefined ? args : { ...args, cursor };
          const result = await call("list_memories", JSON.stringify(pageArgs));
          assert.notEqual(result.isError, true, result.content[0]?.text);
          const page = result.structuredContent as {
            memories: (ModelMemory & { contentTruncated: boolean })[];
            nextCursor?: string;
          };
          assert.ok(page.memories.length <= operation.limit);
          for (const memory of page.memories) {
            const known = model.get(memory.id);
            assert.ok(known, `listed ${memory.id}, which the model does not hold`);
            assert.ok(
              memory.contentTruncated
                ? known.content.startsWith(memory.content)
                : memory.content === known.content,
            );
            seen.push(known);
          }
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        assert.deepEqual(seen, expected, "every page in order, each memory once");
        count(seen.length > operation.limit ? "list of several pages" : "list");
        break;
      }
      case "search": {
        const query =
          operation.query.kind === "existing"
            ? (materialise(operation.query, [...model.values()]).split(" ")[0] ?? "")
            : materialise(operation.query);
        const args: Record<string, unknown> = { query };
        if (operation.tags !== undefined) args.tags = operation.tags;
        const result = await call("search_memories", JSON.stringify(args));
        if (!acceptable("search_memories", args)) {
          invalid("search_memories", result, args);
          break;
        }
        assert.notEqual(result.isError, true, result.content[0]?.text);
        const wanted = normaliseTags((operation.tags as string[] | undefined) ?? []);
        const eligible = [...model.values()].filter((memory) => wanted.every((t) => memory.tags.includes(t)));
        const found = result.structuredContent as {
          results: { id: string; version: number }[];
          searched: number;
        };
        assert.equal(found.searched, eligible.length);
        for (const hit of found.results) {
          const known = eligible.find((memory) => memory.id === hit.id);
          assert.ok(known, `search returned ${hit.id}, not an eligible memory`);
          assert.equal(hit.version, known.version);
        }
        count(found.results.length > 0 ? "search with hits" : "search");
        break;
      }
      case "garbage": {
        // `"arguments": null` counts as absent, as for a tool without arguments.
        const args: unknown = JSON.parse(operation.argsText) ?? {};
        if (acceptable(operation.tool, args)) break; // the other operations cover valid arguments
        invalid(operation.tool, await call(operation.tool, operation.argsText), args);
        break;
      }
    }
  }

  // Nothing half written, and the table holds exactly the model.
  const { memories } = await assertConsistentTable(database.client, tableName);
  assert.deepEqual(
    memories.map(({ id, content, tags, version }) => ({ id, content, tags, version })).sort(byId),
    [...model.values()].sort(byId),
  );
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : 1;
}

function pick(memory: ModelMemory): ModelMemory {
  return { id: memory.id, content: memory.content, tags: memory.tags, version: memory.version };
}

test("any sequence of tool calls: valid ones do exactly what they say, invalid ones change nothing", async () => {
  await fc.assert(fc.asyncProperty(fc.array(operation, { minLength: 8, maxLength: 30 }), run), {
    numRuns: runs(150),
    seed: SEED,
  });
  console.log(`fuzz-tools outcomes: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
  // The operations must keep reaching every branch, or a passing run proves little.
  for (const outcome of [
    "create",
    "duplicate create (same)",
    "duplicate create (spaces)",
    "duplicate create (nfd)",
    "update",
    "update unchanged",
    "version conflict",
    "duplicate content",
    "delete",
    "list of several pages",
    "search with hits",
    "invalid create_memory",
    "invalid update_memory",
  ]) {
    assert.ok((outcomes.get(outcome) ?? 0) > 0, `never reached: ${outcome}`);
  }
});

test("no log line or process output holds a key, a digest, a memory's content or a search query", () => {
  assert.ok(secrets.size > 100, `the run marked its contents (${secrets.size})`);
  assertLogLines(logLines);
  for (const line of logLines) {
    const entry = JSON.parse(line) as Record<string, unknown>; // checked by assertLogLines
    // Tool arguments are never logged: the only free text is the method and the tool name.
    if (entry.tool !== undefined) assert.ok((TOOL_NAMES as readonly unknown[]).includes(entry.tool), line);
  }
  assertNothingSecret(logLines.join("\n"), secrets, "the request log");
  assertNothingSecret(processOutput.text(), secrets, "stdout and stderr");
});
