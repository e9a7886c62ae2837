// Fault injection between the app and its database: the real app and store, with the DynamoDB client
// built exactly as for Lambda (createDynamoDbClient: 3 attempts, 1 s connect and 2.5 s request timeouts),
// talk to dynalite through a proxy that throttles, fails, times out, resets and drops answers
// (./fault-proxy.ts). Pins down that a failing tool answers isError with a retry hint, retries stay
// bounded inside the 10 s Lambda timeout, no change is ever half written, and a client's retry of a
// create whose answer was lost finds the memory instead of storing it twice.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { reindexDynamoDbTable } from "../../src/dynamodb/memory-store.ts";
import { DEFAULT_TOOL_DEADLINE_MS } from "../../src/protocol/mcp.ts";
import type { ToolResult } from "../helpers/tools.ts";
import { always, FAULTS, type Fault, firstRequests } from "./fault-proxy.ts";
import {
  attempts,
  contents,
  created,
  database,
  essentials,
  failure,
  type Harness,
  harness,
  LAMBDA_TIMEOUT_MS,
  logLines,
  type Memory,
  proxy,
  success,
  THROTTLED,
  timings,
  UNAVAILABLE,
} from "./faults-harness.ts";
import { assertLogLines, assertNothingSecret, runs, SEED } from "./support.ts";

describe("a failing database: isError with a retry hint, bounded retries, nothing written", () => {
  test("throttled on every attempt, a create answers THROTTLED after 3 attempts and stores nothing", async () => {
    const h = await harness();
    proxy.setSchedule(always("TransactWriteItems", FAULTS.throttling));
    const { result, ms } = await h.call("create_memory", { content: "throttled create" });
    timings["create, throttled x3"] = Math.round(ms);
    assert.equal(failure(result), THROTTLED);
    assert.equal(attempts("TransactWriteItems"), 3);
    assert.deepEqual(await h.table(), []);
  });

  test("ProvisionedThroughputExceeded on every read, a get answers THROTTLED", async () => {
    const h = await harness();
    const memory = await created(h, "read me under pressure");
    proxy.setSchedule(always("GetItem", FAULTS.provisionedThroughput));
    const { result, ms } = await h.call("get_memory", { id: memory.id });
    timings["get, provisioned throughput exceeded x3"] = Math.round(ms);
    assert.equal(failure(result), THROTTLED);
    assert.equal(attempts("GetItem"), 3);
    assert.deepEqual(await h.table(), [memory]);
  });

  test("InternalServerError on every Query, list and search answer UNAVAILABLE", async () => {
    const h = await harness();
    await created(h, "listed under faults");
    proxy.setSchedule(always("Query", FAULTS.internalError));
    for (const [tool, args] of [
      ["list_memories", {}],
      ["search_memories", { query: "faults" }],
    ] as const) {
      const { result, ms } = await h.call(tool, args);
      timings[`${tool}, internal error x3`] = Math.round(ms);
      assert.equal(failure(result), UNAVAILABLE, tool);
    }
    assert.equal(attempts("Query"), 6);
  });

  test("connection reset on every attempt, an update answers UNAVAILABLE and the memory is untouched", async () => {
    const h = await harness();
    const memory = await created(h, "before the reset");
    proxy.setSchedule(always("TransactWriteItems", FAULTS.reset));
    const { result, ms } = await h.call("update_memory", { id: memory.id, content: "after the reset" });
    timings["update, reset x3"] = Math.round(ms);
    assert.equal(failure(result), UNAVAILABLE);
    assert.equal(attempts("TransactWriteItems"), 3);
    assert.deepEqual(await h.table(), [memory]);
  });

  test("a timeout on every attempt answers UNAVAILABLE inside the Lambda timeout, with nothing written", async () => {
    const h = await harness();
    proxy.setSchedule(always("TransactWriteItems", FAULTS.timeout));
    const { result, ms } = await h.call("create_memory", { content: "never arrives" });
    timings["create, timeout x3"] = Math.round(ms);
    assert.equal(failure(result), UNAVAILABLE);
    assert.equal(attempts("TransactWriteItems"), 3);
    // Each of the 3 attempts waited out its 2.5 s: a lower bound, which a loaded machine cannot break. The
    // upper bound (7.65 s, inside the 10 s) follows from the client's settings: test/dynamodb/errors.test.ts.
    assert.ok(ms > 7_400, `${ms} ms`);
    await proxy.settled();
    assert.deepEqual(await h.table(), []);
  });

  test("transient faults followed by success: the SDK's retries land the create once", async () => {
    const h = await harness();
    proxy.setSchedule(firstRequests("TransactWriteItems", [FAULTS.internalError, FAULTS.reset]));
    const { result } = await h.call("create_memory", { content: "third time lucky" });
    const { memory, duplicate } = success<{ memory: Memory; duplicate: boolean }>(result);
    assert.equal(duplicate, false);
    assert.equal(attempts("TransactWriteItems"), 3);
    assert.deepEqual(await h.table(), [essentials(memory)]);
  });
});

test("a tool call whose commands all stall ends at its deadline, inside the Lambda timeout", async () => {
  // The client bounds each command (~7.65 s) and update_memory sends two (a consistent read, then the
  // conditional write): only the tool call's own deadline (DEFAULT_TOOL_DEADLINE_MS) keeps it under 10 s.
  const h = await harness();
  const memory = await created(h, "slow everywhere");
  const reads = firstRequests("GetItem", [FAULTS.timeout, FAULTS.timeout]);
  const writes = always("TransactWriteItems", FAULTS.timeout);
  proxy.setSchedule((request) => (request.operation === "GetItem" ? reads(request) : writes(request)));
  const { result, ms } = await h.call("update_memory", { id: memory.id, content: "slow everywhere, edited" });
  timings["update, 2 timeouts on the read and 3 on the write"] = Math.round(ms);
  assert.equal(failure(result), UNAVAILABLE);
  // Told by what happened, not by how long it took (which a loaded machine stretches): without a deadline the
  // write would get its 3 attempts, the third sent after 2 + 2 timeouts of 2.5 s, past the 10 s; the 8 s
  // deadline is due before that attempt's turn and timers fire in the order they are due, so it never goes
  // out, however slow the machine is.
  assert.ok(attempts("TransactWriteItems") < 3, `${attempts("TransactWriteItems")} write attempts`);
  assert.ok(DEFAULT_TOOL_DEADLINE_MS < LAMBDA_TIMEOUT_MS);
});

describe("lost answers and late arrivals: stored once, never half", () => {
  test("the create's first answer is lost: the SDK's retry meets the content guard, one memory", async () => {
    const h = await harness();
    proxy.setSchedule(firstRequests("TransactWriteItems", [FAULTS.dropResponse]));
    const { result } = await h.call("create_memory", { content: "answer lost once" });
    // The write landed on the first attempt; the retry meets the guard of its own memory (same id), so
    // the call stored it: duplicate false, as real DynamoDB answers through the SDK's idempotency token.
    const { memory, duplicate } = success<{ memory: Memory; duplicate: boolean }>(result);
    assert.deepEqual([memory.content, duplicate], ["answer lost once", false]);
    assert.deepEqual(await h.table(), [essentials(memory)]);
  });

  test("every answer of a create is lost: UNAVAILABLE, and the client's retry gets duplicate: true", async () => {
    const h = await harness();
    proxy.setSchedule(always("TransactWriteItems", FAULTS.dropResponse));
    const first = await h.call("create_memory", { content: "written, answer lost", tags: ["x"] });
    assert.equal(failure(first.result), UNAVAILABLE);
    const stored = await h.table();
    assert.equal(stored.length, 1, "the first attempt was written");
    proxy.setSchedule(() => FAULTS.pass);
    const retry = await h.call("create_memory", { content: "written, answer lost", tags: ["x"] });
    const { memory, duplicate } = success<{ memory: Memory; duplicate: boolean }>(retry.result);
    assert.deepEqual({ memory: essentials(memory), duplicate }, { memory: stored[0], duplicate: true });
    assert.deepEqual(await h.table(), stored);
  });

  test("every answer of a content update is lost: applied exactly once, with its guard moved", async () => {
    const h = await harness();
    const memory = await created(h, "old wording");
    proxy.setSchedule(always("TransactWriteItems", FAULTS.dropResponse));
    const first = await h.call("update_memory", { id: memory.id, content: "new wording" });
    assert.equal(failure(first.result), UNAVAILABLE);
    // The later attempts met a changed version and a taken guard: refused whole by DynamoDB.
    assert.deepEqual(await h.table(), [{ ...memory, content: "new wording", version: 2 }]);
    proxy.setSchedule(() => FAULTS.pass);
    const retry = await h.call("update_memory", { id: memory.id, content: "new wording" });
    const { memory: after, changed } = success<{ memory: Memory; changed: boolean }>(retry.result);
    assert.deepEqual({ version: after.version, changed }, { version: 2, changed: false });
    assert.deepEqual(await h.table(), [{ ...memory, content: "new wording", version: 2 }]);
  });

  test("every answer of a delete is lost: memory and guard are gone, the retry is not_found", async () => {
    const h = await harness();
    const memory = await created(h, "to be forgotten");
    proxy.setSchedule(always("TransactWriteItems", FAULTS.dropResponse));
    assert.equal(failure((await h.call("delete_memory", { id: memory.id })).result), UNAVAILABLE);
    assert.deepEqual(await h.table(), []);
    proxy.setSchedule(() => FAULTS.pass);
    assert.equal(
      failure((await h.call("delete_memory", { id: memory.id })).result),
      `No memory has id ${memory.id}.`,
    );
    // The content is free again: storing it anew works.
    const again = await created(h, "to be forgotten");
    assert.notEqual(again.id, memory.id);
  });

  test("a create and an update delivered late, after the SDK's retry landed, change nothing more", async () => {
    const h = await harness();
    proxy.setSchedule(firstRequests("TransactWriteItems", [FAULTS.lateDelivery]));
    const { result, ms } = await h.call("create_memory", { content: "late twin" });
    timings["create, first attempt timed out then delivered late"] = Math.round(ms);
    const memory = essentials(success<{ memory: Memory }>(result).memory);
    proxy.setSchedule(firstRequests("TransactWriteItems", [FAULTS.lateDelivery]));
    const update = await h.call("update_memory", { id: memory.id, content: "late twin, corrected" });
    const updated = success<{ memory: Memory }>(update.result).memory;
    await proxy.settled();
    assert.deepEqual(await h.table(), [{ ...memory, content: "late twin, corrected", version: 2 }]);
    assert.equal(updated.version, 2);
  });
});

/** Fast faults only: throttling backs off up to seconds, so it is kept rare. */
const quickFault: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Fault>(FAULTS.pass) },
  { weight: 2, arbitrary: fc.constant<Fault>(FAULTS.internalError) },
  { weight: 2, arbitrary: fc.constant<Fault>(FAULTS.reset) },
  { weight: 2, arbitrary: fc.constant<Fault>(FAULTS.dropResponse) },
  { weight: 1, arbitrary: fc.constant<Fault>(FAULTS.throttling) },
);

type Step =
  | { op: "create"; n: number }
  | { op: "update"; pick: number; n: number }
  | { op: "delete"; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant("create" as const), n: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant("update" as const), pick: fc.nat(), n: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }),
);

/**
 * Random writes under random faults: every answer is a result or a retry hint, and what was answered holds.
 * `contentOf` makes each write's content; `settle` checks the table once the faults stop.
 */
async function randomFaults(
  label: string,
  contentOf: (n: number, edited: boolean) => string,
  settle: (h: Harness, known: ReadonlyMap<string, string | null>) => Promise<Memory[]>,
): Promise<void> {
  let slowest = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 3, maxLength: 10 }),
      fc.array(quickFault, { minLength: 40, maxLength: 40 }),
      async (steps, faults) => {
        const h = await harness();
        let next = 0;
        proxy.setSchedule(() => faults[next++ % faults.length] ?? FAULTS.pass);
        /** Every content a write has sent: whatever is stored must be one of them. */
        const sent = new Set<string>();
        /** What the answers established: id -> its content, or null once gone. A fault makes an id unknown. */
        const known = new Map<string, string | null>();
        const ids: string[] = [];
        for (const s of steps) {
          let call: { result: ToolResult; ms: number };
          let id =
            ids[s.op === "create" ? 0 : s.pick % Math.max(1, ids.length)] ?? "00000000000000000000000000";
          if (s.op === "create") {
            const content = contentOf(s.n, false);
            sent.add(content);
            call = await h.call("create_memory", { content });
            if (call.result.isError !== true) {
              id = (call.result.structuredContent as { memory: Memory }).memory.id;
              if (!ids.includes(id)) ids.push(id);
            }
          } else if (s.op === "update") {
            const content = contentOf(s.n, true);
            sent.add(content);
            call = await h.call("update_memory", { id, content });
          } else {
            call = await h.call("delete_memory", { id });
          }
          slowest = Math.max(slowest, call.ms);
          const message = call.result.content[0]?.text ?? "";
          if (call.result.isError !== true) {
            const output = call.result.structuredContent as { memory?: Memory; deleted?: Memory };
            known.set(id, output.deleted ? null : (output.memory?.content ?? null));
          } else if (message === THROTTLED || message === UNAVAILABLE) {
            // A database fault: the write may or may not have landed, so nothing is known of it.
            known.delete(id);
          } else if (message.startsWith("No memory has id ")) {
            known.set(id, null);
          } else {
            // Other refusals are the model's to act on, and change nothing.
            assert.match(message, /already holds this content/);
          }
        }
        proxy.setSchedule(() => FAULTS.pass);
        await proxy.settled();
        const stored = await settle(h, known);
        for (const memory of stored) assert.ok(sent.has(memory.content), memory.content);
        // Nothing answered as done was lost or undone, nothing answered as gone came back.
        for (const [id, content] of known) {
          assert.equal(stored.find((memory) => memory.id === id)?.content ?? null, content, id);
        }
      },
    ),
    { numRuns: runs(12), seed: SEED },
  );
  timings[`${label}: slowest call`] = Math.round(slowest);
}

test("random faults under random writes: answers are results or retry hints, what was answered holds, and the index agrees", async () => {
  // Short memories: each write and its index entries are one transaction, so the index is never behind.
  await randomFaults(
    "random faults",
    (n, edited) => `fault fuzz memory ${n}${edited ? " (edited)" : ""}`,
    (h) => h.table("none"),
  );
});

test("random faults under writes of memories too long for one transaction: search finds what was answered, reindex repairs the rest", async () => {
  const words = (n: number, edited: boolean): string =>
    Array.from({ length: 120 }, (_, i) => `w${i}n${n}${edited ? "e" : ""}`).join(" ");
  await randomFaults("random faults, long memories", words, async (h, known) => {
    await h.table("allowed"); // a fault between a write and its postings leaves the memory pending
    for (const [id, content] of known) {
      if (content === null) continue;
      const query = content.split(" ")[77] ?? "";
      const { result } = await h.call("search_memories", { query });
      const found = (success<{ results: { id: string }[] }>(result).results ?? []).map((hit) => hit.id);
      assert.deepStrictEqual(found, [id], `search for ${query}`);
    }
    await reindexDynamoDbTable({ client: database.client, tableName: h.tableName });
    return h.table("none");
  });
});

test("no log line holds a key, a digest or a memory's content, and a tool failure is logged as a 200", () => {
  assertLogLines(logLines);
  assertNothingSecret(logLines.join("\n"), contents, "the request log");
  for (const line of logLines) assert.equal((JSON.parse(line) as { status: number }).status, 200, line);
});
