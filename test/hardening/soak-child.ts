// The 128 MB soak's child process (bundled like the Lambda by soak.test.ts, run under a 128 MB-sized heap
// limit): boots the real src/lambda.ts from the environment and feeds its handler Function URL events
// through a fixed mix of reads, writes and bad inputs. Keeps 20 to 40 memories stored (deleting as it
// goes) so that growth can only come from leaks, not data. Reports memory
// every SOAK_SAMPLE_EVERY requests on stderr as `SOAK {json}`; stdout carries the handler's own log lines.
import { getHeapStatistics } from "node:v8";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { handler } from "../../src/lambda.ts";
import { functionUrlEvent } from "../fixtures/events.ts";

const TOTAL = Number(process.env.SOAK_REQUESTS ?? 20_000);
const SAMPLE_EVERY = Number(process.env.SOAK_SAMPLE_EVERY ?? 1_000);
const CONCURRENCY = 4;
/** Each worker's stored memories stay between these: list and search see real data that cannot grow. */
const MIN_STORED = 5;
const MAX_STORED = 10;
const gc = (globalThis as { gc?: () => void }).gc;

function report(entry: Record<string, unknown>): void {
  process.stderr.write(`SOAK ${JSON.stringify(entry)}\n`);
}

function memory(): Record<string, number> {
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external };
}

const WORDS =
  "tea travel daughter birthday allergy peanuts project deadline Lisbon piano dentist passport".split(" ");

function content(i: number): string {
  // Mostly a sentence or two, as memories are; one in ten up to about 3 KB. The marker lets the parent
  // check that no content reaches a log line.
  const length = i % 10 === 0 ? 5 + ((i * 7919) % 400) : 5 + ((i * 7919) % 30);
  const words = Array.from({ length }, (_, k) => WORDS[(i + k * 31) % WORDS.length]);
  return `soakmark${i} ${words.join(" ")}`;
}

let rpcId = 0;
function call(tool: string, args: unknown): LambdaFunctionURLEvent {
  return functionUrlEvent({
    body: { jsonrpc: "2.0", id: ++rpcId, method: "tools/call", params: { name: tool, arguments: args } },
  });
}

/** Bad inputs from outside, each with the status the handler must answer. */
const BAD: readonly (() => { event: LambdaFunctionURLEvent; status: number })[] = [
  () => ({ event: functionUrlEvent({ body: '{"jsonrpc":"2.0","id":1,' }), status: 400 }),
  () => ({
    event: functionUrlEvent({ anonymous: true, body: { jsonrpc: "2.0", id: 1, method: "ping" } }),
    status: 401,
  }),
  () => ({
    event: functionUrlEvent({ headers: { authorization: "Bearer wrong" }, body: "{}" }),
    status: 401,
  }),
  () => ({ event: call("forget_everything", {}), status: 200 }),
  () => ({ event: call("create_memory", { content: "", tags: ["a,b"], extra: 1 }), status: 200 }),
  () => ({ event: functionUrlEvent({ body: `{"pad":"${"x".repeat(300_000)}"}` }), status: 413 }),
  () => ({
    event: functionUrlEvent({ body: `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}` }),
    status: 400,
  }),
  () => ({ event: functionUrlEvent({ headers: { "content-type": "text/plain" }, body: "{}" }), status: 415 }),
  () => ({
    event: functionUrlEvent({ headers: { origin: "https://evil.example" }, body: "{}" }),
    status: 403,
  }),
  () => {
    const event = functionUrlEvent({ base64: true });
    event.body = Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]).toString("base64");
    return { event, status: 400 };
  },
];

type Step = "create" | "get" | "list" | "search" | "update" | "delete" | "bad" | "ping" | "tools/list";
const MIX: readonly Step[] = [
  "create",
  "get",
  "list",
  "bad",
  "create",
  "search",
  "update",
  "get",
  "bad",
  "delete",
  "create",
  "list",
  "ping",
  "get",
  "bad",
  "update",
  "delete",
  "tools/list",
  "search",
  "delete",
];

report({ phase: "loaded", heapSizeLimit: getHeapStatistics().heap_size_limit, ...memory() });

let unexpected = 0;
const examples: string[] = [];
let served = 0;

/**
 * One of CONCURRENCY workers, each with its own stored memories (so no worker reads what another is
 * deleting). Lambda serves one request at a time per instance; a few in flight keep the database round
 * trips overlapping and only add memory pressure, which makes the budget check stricter, not looser.
 */
async function worker(first: number): Promise<void> {
  const stored: string[] = [];
  for (let i = first; i <= TOTAL; i += CONCURRENCY) {
    let step = MIX[i % MIX.length] as Step;
    if (step === "delete" && stored.length <= MIN_STORED) step = "create";
    if (
      step !== "create" &&
      step !== "bad" &&
      step !== "ping" &&
      step !== "tools/list" &&
      stored.length === 0
    )
      step = "create";
    if (step === "create" && stored.length >= MAX_STORED) step = "delete";
    const someId = stored[(i * 13) % Math.max(1, stored.length)] ?? "";
    let event: LambdaFunctionURLEvent;
    let status = 200;
    switch (step) {
      case "create":
        event = call("create_memory", { content: content(i), tags: ["soak", `t${i % 7}`] });
        break;
      case "get":
        event = call("get_memory", { id: someId });
        break;
      case "list":
        event = call("list_memories", { limit: 20 });
        break;
      case "search":
        event = call("search_memories", { query: WORDS[i % WORDS.length] });
        break;
      case "update":
        event = call("update_memory", { id: someId, content: `${content(i)} (corrected)` });
        break;
      case "delete":
        event = call("delete_memory", { id: stored.shift() });
        break;
      case "ping":
        event = functionUrlEvent({ body: { jsonrpc: "2.0", id: i, method: "ping" } });
        break;
      case "tools/list":
        event = functionUrlEvent({ body: { jsonrpc: "2.0", id: i, method: "tools/list" } });
        break;
      case "bad": {
        const bad = (BAD[i % BAD.length] as (typeof BAD)[number])();
        event = bad.event;
        status = bad.status;
        break;
      }
    }
    const response = (await handler(event)) as { statusCode: number; body: string };
    let ok = response.statusCode === status;
    if (ok && step !== "bad" && step !== "ping" && step !== "tools/list") {
      type Answer = { result?: { isError?: boolean; structuredContent?: { memory?: { id: string } } } };
      const result = (JSON.parse(response.body) as Answer).result;
      ok = result !== undefined && result.isError !== true;
      const id = result?.structuredContent?.memory?.id;
      if (ok && step === "create" && id !== undefined) stored.push(id);
    }
    if (!ok) {
      unexpected++;
      if (examples.length < 5)
        examples.push(`${step}: ${response.statusCode} ${response.body.slice(0, 200)}`);
    }
    if (++served % SAMPLE_EVERY === 0) {
      const before = memory();
      gc?.();
      report({ phase: "sample", requests: served, ...before, heapAfterGc: process.memoryUsage().heapUsed });
    }
  }
}

await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w + 1)));
report({ phase: "done", requests: served, unexpected, examples });
