// The bad-input catalogue: named hostile or broken requests across the transport, JSON-RPC and tool
// arguments, each with the exact status and error it must get, through the real Lambda handler on
// dynalite. One table row per case, so a regression names the input it let through. The rows live by layer
// in bad-input-cases-*.ts; they all run here, in one process, so the checks at the end cover every one.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { functionUrlEvent } from "../fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "../helpers/lambda.ts";
import { type Case, toolCall } from "./bad-input-cases.ts";
import { jsonRpcCases } from "./bad-input-cases-json-rpc.ts";
import { mcpCases } from "./bad-input-cases-mcp.ts";
import { toolCases } from "./bad-input-cases-tools.ts";
import { transportCases } from "./bad-input-cases-transport.ts";
import { assertNothingSecret, assertWellFormedAnswer } from "./support.ts";

let lambda: LambdaUnderTest;
/** Two memories the tool cases refer to. */
let first: { id: string; version: number };
let second: { id: string };

before(async () => {
  lambda = await loadLambda();
  const create = async (content: string): Promise<{ id: string; version: number }> => {
    const response = await lambda.invoke(functionUrlEvent({ body: toolCall("create_memory", { content }) }));
    return (response.json as { result: { structuredContent: { memory: { id: string; version: number } } } })
      .result.structuredContent.memory;
  };
  first = await create("Catalogue memory one: Ada likes green tea");
  second = await create("Catalogue memory two: Ada's passport expires in May 2031");
});
after(async () => {
  await lambda.stop();
});

const CASES: Case[] = [
  ...transportCases,
  ...jsonRpcCases,
  ...mcpCases,
  ...toolCases(() => ({ first, second })),
];

describe("bad-input catalogue", () => {
  test("holds at least 60 named cases across the three layers", () => {
    const counts = { transport: 0, "json-rpc": 0, tool: 0 };
    for (const c of CASES) counts[c.layer]++;
    assert.ok(CASES.length >= 60, `${CASES.length} cases`);
    assert.ok(
      Object.values(counts).every((n) => n >= 15),
      JSON.stringify(counts),
    );
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, "names are unique");
  });

  for (const c of CASES) {
    test(`[${c.layer}] ${c.name}`, async () => {
      const event = typeof c.request === "function" ? c.request() : functionUrlEvent(c.request);
      const answer = await lambda.invoke(event);
      const requestText = `${event.rawPath}\n${JSON.stringify(event.headers)}\n${event.body ?? ""}`;
      assertWellFormedAnswer(answer, requestText);
      const expected = typeof c.expected === "function" ? c.expected() : c.expected;
      if ("toolError" in expected) {
        assert.deepEqual(
          { status: answer.status, json: answer.json },
          {
            status: 200,
            json: {
              jsonrpc: "2.0",
              id: 1,
              result: { content: [{ type: "text", text: expected.toolError }], isError: true },
            },
          },
        );
      } else if ("body" in expected) {
        assert.equal(answer.status, expected.status);
        if (typeof expected.body === "string") assert.equal(answer.body, expected.body);
        else assert.deepEqual(answer.json, expected.body);
      } else {
        assert.deepEqual(
          { status: answer.status, json: answer.json },
          {
            status: expected.status,
            json: { jsonrpc: "2.0", id: expected.id ?? null, error: expected.error },
          },
        );
        for (const [name, value] of Object.entries(expected.headers ?? {}))
          assert.equal(answer.headers[name], value, name);
      }
    });
  }

  test("nothing above changed the two memories, and no log line holds a key or their content", async () => {
    const response = await lambda.invoke(functionUrlEvent({ body: toolCall("list_memories", {}) }));
    const { memories } = (
      response.json as { result: { structuredContent: { memories: { id: string; version: number }[] } } }
    ).result.structuredContent;
    assert.deepEqual(
      memories.map((m) => [m.id, m.version]),
      [
        [second.id, 1],
        [first.id, 1],
      ],
    );
    assertNothingSecret(
      lambda.takeLogs().join("\n"),
      ["Ada likes green tea", "passport expires"],
      "the request log",
    );
  });
});
