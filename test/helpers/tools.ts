// Calls the memory tools as the model does: tools/call through the real Lambda handler (src/lambda.ts)
// against dynalite, one instance per test file. A successful answer is checked against the tool's output
// schema, and its text block against its structured content.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { output } from "../../src/generated/output-validators.js";
import type { ToolName, ToolOutput } from "../../src/tools/tool.ts";
import { functionUrlEvent } from "../fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "./lambda.ts";

export interface ToolResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** A well-formed memory id that no memory has. */
export const UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

export type StoredMemory = ToolOutput<"create_memory">["memory"];
export type ListedMemory = ToolOutput<"list_memories">["memories"][number];

export interface ToolClient {
  /** Any answer to tools/call, with the response text. */
  callRaw(name: string, args: unknown): Promise<{ result: ToolResult; body: string }>;
  /** A successful call's structured content, checked against the output schema. */
  call<Name extends ToolName>(name: Name, args: unknown): Promise<ToolOutput<Name>>;
  /** A failing call: the message the model reads. */
  fail(name: string, args: unknown): Promise<string>;
  create(content: string, tags?: string[]): Promise<StoredMemory>;
  /** Every page of list_memories, followed to the end. */
  listAll(tags?: string[], limit?: number): Promise<ListedMemory[]>;
}

/** Starts the Lambda with its own dynalite before the file's tests, and stops it after them. */
export function useToolClient(): ToolClient {
  let lambda: LambdaUnderTest | undefined;
  before(async () => {
    // The tool deadline (8 s by default) is a wall-clock bound: a loaded test machine must not turn it into
    // a failure of tests about something else. test/hardening/faults.test.ts tests the deadline itself.
    lambda = await loadLambda({ TOOL_DEADLINE_MS: "120000" });
  });
  after(async () => {
    await lambda?.stop();
  });

  let nextId = 1;
  const client: ToolClient = {
    async callRaw(name, args) {
      assert.ok(lambda !== undefined, "the Lambda is started in before()");
      const body = { jsonrpc: "2.0", id: nextId++, method: "tools/call", params: { name, arguments: args } };
      const response = await lambda.invoke(functionUrlEvent({ body }));
      assert.equal(response.status, 200, response.body);
      const { result } = response.json as { result: ToolResult }; // a 200 answer to tools/call is a result
      return { result, body: response.body };
    },

    async call(name, args) {
      const { result } = await client.callRaw(name, args);
      assert.notEqual(result.isError, true, result.content[0]?.text);
      const structured = result.structuredContent;
      assert.deepEqual(JSON.parse(result.content[0]?.text ?? ""), structured);
      const matchesSchema = output[name];
      if (!matchesSchema(structured)) assert.fail(JSON.stringify(matchesSchema.errors));
      return structured;
    },

    async fail(name, args) {
      const { result } = await client.callRaw(name, args);
      assert.equal(result.isError, true, JSON.stringify(result));
      assert.equal(result.structuredContent, undefined);
      assert.equal(result.content.length, 1);
      return result.content[0]?.text ?? "";
    },

    async create(content, tags) {
      const args = tags === undefined ? { content } : { content, tags };
      return (await client.call("create_memory", args)).memory;
    },

    async listAll(tags, limit = 50) {
      const all: ListedMemory[] = [];
      let cursor: string | undefined;
      do {
        const args: Record<string, unknown> = { limit };
        if (cursor) args.cursor = cursor;
        if (tags) args.tags = tags;
        const page = await client.call("list_memories", args);
        all.push(...page.memories);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
  };
  return client;
}
