// Load on loopback: the local server (the same handler, dynalite on disk) under 50 concurrent keep-alive
// clients for a bounded time, each creating memories with unique content, retrying some creates, reading,
// listing, searching, correcting and deleting its own. Pins down zero failed requests; that a search for a
// word only one memory holds finds exactly that memory as its writer last left it, or nothing once deleted
// (read-your-writes through the index while 49 others write); and, listing everything to the end and
// searching every memory's word afterwards, that every memory a client kept exists exactly once with its
// last content, is found by search, and nothing else exists. Prints latency percentiles and throughput.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LocalServer, startLocalServer } from "../../src/local/server.ts";
import { createLogger } from "../../src/protocol/log.ts";
import { TEST_API_KEY } from "../fixtures/events.ts";
import { assertLogLines, assertNothingSecret, assertWellFormedAnswer } from "./support.ts";

const CLIENTS = Number(process.env.HARDENING_LOAD_CLIENTS ?? 50);
const DURATION_MS = Number(process.env.HARDENING_LOAD_MS ?? 15_000);

let server: LocalServer;
let dataDir: string;
const logLines: string[] = [];
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "memory-load-"));
  server = await startLocalServer({
    port: 0,
    dataDir,
    apiKey: TEST_API_KEY,
    logger: createLogger((line) => logLines.push(line)),
    // Every search through the index, from the first memory on: the small-store path is one Query.
    scanAtMost: 0,
  });
});
after(async () => {
  agent.destroy();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Memory {
  id: string;
  content: string;
  tags: string[];
  version: number;
}

interface Sample {
  tool: string;
  ms: number;
}

let rpcId = 0;

/** One tools/call over HTTP; any failure (transport, protocol or tool) is counted by the caller. */
function callTool(
  tool: string,
  args: Record<string, unknown>,
): Promise<{ result: Record<string, unknown>; ms: number }> {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: ++rpcId,
    method: "tools/call",
    params: { name: tool, arguments: args },
  });
  const url = new URL(server.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${server.apiKey}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const ms = performance.now() - started;
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (
                typeof value === "string" &&
                !["date", "connection", "keep-alive", "content-length", "transfer-encoding"].includes(name)
              )
                headers[name] = value;
            }
            assertWellFormedAnswer({ status: response.statusCode ?? 0, headers, body: text }, body);
            assert.equal(response.statusCode, 200, text);
            const { result } = JSON.parse(text) as { result: Record<string, unknown> };
            assert.notEqual(result.isError, true, `${tool}: ${text}`);
            resolve({ result: result.structuredContent as Record<string, unknown>, ms });
          } catch (error) {
            reject(error);
          }
        });
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (value: number): string => value.toFixed(1);
  return `n=${sorted.length} p50=${f(percentile(sorted, 50))} p90=${f(percentile(sorted, 90))} p99=${f(percentile(sorted, 99))} max=${f(sorted[sorted.length - 1] ?? Number.NaN)} ms`;
}

/** A word that only the n-th memory of client `index` holds (analysed as one term). */
function uniqueWord(index: number, n: number): string {
  return `u${index}q${n}x`;
}

/** Searches one word; answers [id, version, snippet] of each hit, or undefined when the call failed. */
async function searchWord(
  word: string,
  call: (tool: string, args: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>,
): Promise<[string, number, string][] | undefined> {
  const result = (await call("search_memories", { query: word, limit: 5 })) as
    | { results: { id: string; version: number; snippet: string }[] }
    | undefined;
  return result?.results.map((hit) => [hit.id, hit.version, hit.snippet]);
}

test(`${CLIENTS} concurrent clients for ${DURATION_MS / 1000} s: zero failures, nothing lost, nothing doubled`, async () => {
  const samples: Sample[] = [];
  const failures: string[] = [];
  /** What each client believes is stored: id -> memory. */
  const kept = new Map<string, Memory>();
  const everCreated = new Set<string>();
  const contents = new Set<string>();
  const deadline = performance.now() + DURATION_MS;
  const started = performance.now();

  async function client(index: number): Promise<void> {
    const mine: Memory[] = [];
    let n = 0;
    const timed = async (
      tool: string,
      args: Record<string, unknown>,
    ): Promise<Record<string, unknown> | undefined> => {
      try {
        const { result, ms } = await callTool(tool, args);
        samples.push({ tool, ms });
        return result;
      } catch (error) {
        failures.push(`${tool}: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`);
        return undefined;
      }
    };
    while (performance.now() < deadline) {
      const roll = Math.random();
      const own = mine[Math.floor(Math.random() * mine.length)];
      if (roll < 0.35 || own === undefined) {
        n += 1;
        const content = `load memory c${index} n${n} ${uniqueWord(index, n)} ${randomUUID()} about tea and travel plans`;
        contents.add(content);
        const result = await timed("create_memory", { content, tags: [`client-${index % 5}`, "load"] });
        const created = result as { memory: Memory; duplicate: boolean } | undefined;
        if (created === undefined) continue;
        assert.equal(created.duplicate, false, "unique content is never a duplicate");
        assert.equal(everCreated.has(created.memory.id), false, "a fresh id");
        everCreated.add(created.memory.id);
        mine.push(created.memory);
        kept.set(created.memory.id, created.memory);
      } else if (roll < 0.4) {
        // A client retrying a create whose answer it did not trust: the same memory comes back.
        const result = (await timed("create_memory", { content: own.content })) as
          | { memory: Memory; duplicate: boolean }
          | undefined;
        if (result) assert.deepEqual([result.duplicate, result.memory.id], [true, own.id]);
      } else if (roll < 0.6) {
        const result = (await timed("get_memory", { id: own.id })) as { memory: Memory } | undefined;
        if (result)
          assert.deepEqual([result.memory.content, result.memory.version], [own.content, own.version]);
      } else if (roll < 0.8) {
        await timed("list_memories", {
          limit: 20,
          ...(Math.random() < 0.5 ? { tags: [`client-${index % 5}`] } : {}),
        });
      } else if (roll < 0.85) {
        await timed("search_memories", { query: "tea travel plans", limit: 5 });
      } else if (roll < 0.9) {
        // Read your writes: the word only this memory holds finds it, as this client last wrote it.
        const found = await searchWord(own.content.split(" ")[4] ?? "", timed);
        if (found)
          assert.deepEqual(found, [[own.id, own.version, own.content]], "search sees the last write");
      } else if (roll < 0.96) {
        const content = `${own.content.split(" (v")[0]} (v${own.version + 1})`;
        contents.add(content);
        const result = (await timed("update_memory", {
          id: own.id,
          content,
          expectedVersion: own.version,
        })) as { memory: Memory } | undefined;
        if (result) {
          assert.equal(result.memory.version, own.version + 1);
          Object.assign(own, result.memory);
          kept.set(own.id, { ...result.memory });
        }
      } else {
        const result = await timed("delete_memory", { id: own.id });
        if (result) {
          mine.splice(mine.indexOf(own), 1);
          kept.delete(own.id);
          const found = await searchWord(own.content.split(" ")[4] ?? "", timed);
          if (found) assert.deepEqual(found, [], "a deleted memory is gone from the next search");
        }
      }
    }
  }

  await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));
  const elapsedS = (performance.now() - started) / 1000;

  // A failed request leaves its write unknown, so failures are reported first, with what they were.
  assert.deepEqual(failures, [], "no request failed");

  // Everything, to the end, then compare with what the clients kept.
  const listed: Memory[] = [];
  let cursor: string | undefined;
  do {
    const { result } = await callTool("list_memories", { limit: 50, ...(cursor ? { cursor } : {}) });
    const page = result as { memories: (Memory & { contentTruncated: boolean })[]; nextCursor?: string };
    for (const { contentTruncated, ...memory } of page.memories) {
      assert.equal(contentTruncated, false);
      listed.push({ id: memory.id, content: memory.content, tags: memory.tags, version: memory.version });
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const ids = listed.map((memory) => memory.id);
  assert.equal(new Set(ids).size, ids.length, "every memory listed exactly once");
  const expected = [...kept.values()]
    .map(({ id, content, tags, version }) => ({ id, content, tags, version }))
    .sort((a, b) => (a.id < b.id ? 1 : -1));
  assert.deepEqual(listed, expected, "exactly the memories the clients kept, with their last content");

  // Every kept memory is found by its own word, and a deleted one's word finds nothing.
  for (const memory of expected) {
    const found = await searchWord(memory.content.split(" ")[4] ?? "", async (tool, args) => {
      return (await callTool(tool, args)).result;
    });
    assert.deepEqual(found, [[memory.id, memory.version, memory.content]], `search for ${memory.id}`);
  }

  const all = samples.map((sample) => sample.ms);
  const lines = [
    `load: ${CLIENTS} clients, ${elapsedS.toFixed(1)} s, ${samples.length} requests, ${(samples.length / elapsedS).toFixed(0)} rps, ${failures.length} failed`,
    `load: all ${summary(all)}`,
    ...[
      "create_memory",
      "get_memory",
      "list_memories",
      "search_memories",
      "update_memory",
      "delete_memory",
    ].map(
      (tool) =>
        `load: ${tool.padEnd(15)} ${summary(samples.filter((s) => s.tool === tool).map((s) => s.ms))}`,
    ),
    `load: ${everCreated.size} created, ${kept.size} kept, ${listed.length} listed at the end`,
  ];
  console.log(lines.join("\n"));
  assert.deepEqual(failures, [], "no request failed");
  assert.ok(samples.length >= CLIENTS * 10, "every client did real work");

  assertLogLines(logLines);
  assertNothingSecret(logLines.join("\n"), contents, "the request log");
});
