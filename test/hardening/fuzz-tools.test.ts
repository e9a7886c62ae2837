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
import { output } from "../../src/generated/output-validators.js";
import { createLogger } from "../../src/protocol/log.ts";
import { TEST_API_KEY } from "../fixtures/events.ts";
import { type Dynalite, startDynalite, TEST_CURSOR_SECRET } from "../helpers/dynalite.ts";
import { TOOL_NAMES } from "../helpers/tool-names.ts";
import type { ToolResult } from "../helpers/tools.ts";
import { byId, outcomes, play, secrets } from "./fuzz-tools-model.ts";
import { type Operation, operation, type ToolName } from "./fuzz-tools-operations.ts";
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

let database: Dynalite;
let processOutput: CapturedOutput;
const logLines: string[] = [];
let tableCounter = 0;

before(async () => {
  database = await startDynalite();
  processOutput = captureProcessOutput();
});
after(async () => {
  processOutput.restore();
  await database.stop();
});

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
    // Every search through the index (however few memories): the model checks its answers.
    store: createDynamoDbStore({
      client: database.client,
      tableName,
      cursorSecret: TEST_CURSOR_SECRET,
      scanAtMost: 0,
    }),
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

async function run(operations: readonly Operation[]): Promise<void> {
  const { call, tableName } = await harness();
  const model = await play(call, operations);

  // Nothing half written, and the table holds exactly the model.
  const { memories } = await assertConsistentTable(database.client, tableName);
  assert.deepEqual(
    memories.map(({ id, content, tags, version }) => ({ id, content, tags, version })).sort(byId),
    [...model.values()].sort(byId),
  );
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
