// Pins down what the Lambda handler logs: one line at INIT, with what the warm-up took and no warning, and one
// structured line per request that never holds memory content or a key.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { functionUrlEvent, TEST_API_KEY } from "../fixtures/events.ts";
import { lambda, PING } from "./support.ts";

describe("INIT", () => {
  test("loading the module logs one line, with what the warm-up took, and no warning", () => {
    const lines = lambda.initLogs.map((line) => JSON.parse(line) as { warmUpMs?: unknown });
    const warmUpMs = lines[0]?.warmUpMs;
    assert.deepEqual(lines, [{ level: "info", msg: "init", warmUpMs }]);
    assert.ok(Number.isInteger(warmUpMs) && (warmUpMs as number) >= 0, `warmUpMs = ${String(warmUpMs)}`);
  });
});

describe("log lines", () => {
  test("one structured line per request: method, tool, status, duration; never content or keys", async () => {
    lambda.takeLogs();
    const secret = "the-secret-diary-entry-zebra";
    await lambda.invoke(
      functionUrlEvent({
        body: {
          jsonrpc: "2.0",
          id: 7,
          method: "tools/call",
          params: { name: "create_memory", arguments: { content: secret } },
        },
      }),
    );
    await lambda.invoke(functionUrlEvent({ anonymous: true, path: `/mcp/${TEST_API_KEY}x`, body: PING }));
    const lines = lambda.takeLogs();
    assert.equal(lines.length, 2);
    const [call, refused] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(typeof call?.durationMs, "number");
    assert.deepEqual(
      { ...call, durationMs: 0 },
      {
        level: "info",
        msg: "request",
        httpMethod: "POST",
        status: 200,
        id: "7",
        method: "tools/call",
        tool: "create_memory",
        durationMs: 0,
      },
    );
    assert.deepEqual(
      { ...refused, durationMs: 0 },
      { level: "info", msg: "request", httpMethod: "POST", status: 401, durationMs: 0 },
    );
    const all = lines.join("\n");
    assert.ok(!all.includes(secret), "memory content leaked into the log");
    assert.ok(!all.includes(TEST_API_KEY.slice(0, 12)), "the API key leaked into the log");
  });
});
