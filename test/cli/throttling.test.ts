// Pins down that a throttled DynamoDB slows an import, export or wipe down but never drops a memory: each
// throttled call, after the SDK's own three attempts, is retried with backoff until it lands. The store
// runs on the real SDK client against dynalite behind a front that answers ThrottlingException.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { exportMemories, type Output } from "../../src/cli/export.ts";
import { importFile } from "../../src/cli/import.ts";
import { createProgress } from "../../src/cli/progress.ts";
import type { RetryPolicy } from "../../src/cli/retry.ts";
import { wipeMemories } from "../../src/cli/wipe.ts";
import { createDynamoDbClient, createDynamoDbStore, ensureTable } from "../../src/dynamodb/memory-store.ts";
import { toJsonLine } from "../../src/memory/jsonl.ts";
import type { Memory } from "../../src/memory/memory-store.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import { startThrottlingFront, type ThrottlingFront } from "../helpers/throttling-front.ts";
import { tempDir } from "./support.ts";

let database: Dynalite;
let front: ThrottlingFront;
before(async () => {
  database = await startDynalite();
  front = await startThrottlingFront(database.endpoint);
});
after(async () => {
  await front.stop();
  await database.stop();
});

const MEMORIES: Memory[] = [3, 2, 1].map((index) => ({
  id: `01JF000000000000000000000${index}`,
  content: `Fact number ${index}`,
  tags: [],
  createdAt: `2026-01-0${index}T00:00:00.000Z`,
  updatedAt: `2026-01-0${index}T00:00:00.000Z`,
  version: 1,
}));

test("throttled writes and reads are retried with backoff until every memory is through", async () => {
  const client = createDynamoDbClient({
    endpoint: front.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await ensureTable(client, "throttled");
  const store = createDynamoDbStore({ client, tableName: "throttled", cursorSecret: "secret" });
  const waits: number[] = [];
  const notes: string[] = [];
  const retry: RetryPolicy = {
    attempts: 8,
    baseMs: 500,
    capMs: 30_000,
    wait: async (ms) => {
      waits.push(ms);
    },
    onRetry: (error) => notes.push(error.kind),
  };
  const progress = createProgress({ write: () => {} }, "test");
  const signal = new AbortController().signal;
  try {
    const file = join(tempDir(), "backup.jsonl");
    writeFileSync(file, MEMORIES.map((memory) => `${toJsonLine(memory)}\n`).join(""));
    // The SDK tries each command 3 times: 4 throttled answers in a row fail one store call and the SDK's
    // first attempt of its retry; the backoff retry then lands it.
    front.throttleNext("TransactWriteItems", 4);
    const summary = await importFile({
      store,
      input: await open(file),
      file,
      format: "jsonl",
      progress,
      retry,
      signal,
    });
    assert.deepEqual(summary, { format: "jsonl", imported: 3, present: 0, refused: 0 });
    assert.deepEqual(notes, ["throttled"]);

    front.throttleNext("Query", 3);
    let text = "";
    const output: Output = {
      write: async (chunk) => {
        text += chunk;
      },
      commit: async () => {},
      abort: async () => {},
      leftOnAbort: "",
    };
    const exported = await exportMemories({
      store,
      format: "jsonl",
      output,
      progress,
      retry,
      signal,
      now: () => new Date(0),
    });
    assert.equal(exported, 3);
    assert.equal(text, MEMORIES.map((memory) => `${toJsonLine(memory)}\n`).join(""));
    assert.deepEqual(notes, ["throttled", "throttled"]);

    front.throttleNext("TransactWriteItems", 3);
    assert.equal(await wipeMemories({ store, total: 3, progress, retry, signal }), 3);
    assert.equal(await store.count(), 0);
    assert.deepEqual(notes, ["throttled", "throttled", "throttled"]);
    assert.equal(front.throttled(), 10);
    assert.equal(waits.length, 3);
  } finally {
    client.destroy();
  }
});
