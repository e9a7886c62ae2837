// Pins down the Lambda's INIT warm-up (src/coldstart/warm-up.ts) and the DynamoDB dry run it relies on
// (src/dynamodb/dry-run.ts) against dynalite: the warm-up writes nothing and warns about nothing when
// DynamoDB is there, warns (and still finishes, within its bound) when DynamoDB is not, and the dry run
// answers the store from memory while it lasts and lets every call through again afterwards.
import assert from "node:assert/strict";
import { type AddressInfo, createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { warmUp } from "../../src/coldstart/warm-up.ts";
import { dryRun } from "../../src/dynamodb/dry-run.ts";
import { createDynamoDbStore } from "../../src/dynamodb/memory-store.ts";
import type { Logger } from "../../src/protocol/log.ts";
import { createTestStore, type Dynalite, startDynalite, TEST_CURSOR_SECRET } from "../helpers/dynalite.ts";

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { logger: { request() {}, info() {}, warn: (message) => warnings.push(message) }, warnings };
}

describe("warmUp", () => {
  test("runs both passes without a warning and leaves the table as it was", async () => {
    const { store } = await createTestStore(database);
    await store.create("The user's sister lives in Lyon.", ["family"]);
    const { logger, warnings } = recordingLogger();
    await warmUp({ env: {}, defaultOrigins: [], store }, { client: database.client, logger });
    assert.deepEqual(warnings, []);
    const page = await store.list({ limit: 10 });
    assert.deepEqual(
      page.memories.map((memory) => memory.content),
      ["The user's sister lives in Lyon."],
    );
  });

  test("warns within its bound when DynamoDB cannot be reached, and never throws", async () => {
    const client = new DynamoDBClient({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9", // discard port: nothing listens
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const store = createDynamoDbStore({ client, tableName: "absent", cursorSecret: TEST_CURSOR_SECRET });
    const { logger, warnings } = recordingLogger();
    await warmUp({ env: {}, defaultOrigins: [], store }, { client, logger, timeoutMs: 300 });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /^warm-up incomplete \(tools\/call failed: .*\); the first request pays/);
    client.destroy();
  });
  test("ends at its bound when DynamoDB never answers, saying so, so INIT cannot hang", async () => {
    // Nothing but the warm-up's bound ends this pass: the client has no request timeout and one attempt.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo; // a TCP server's address is an AddressInfo
    const client = new DynamoDBClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const store = createDynamoDbStore({ client, tableName: "absent", cursorSecret: TEST_CURSOR_SECRET });
    const { logger, warnings } = recordingLogger();
    await warmUp({ env: {}, defaultOrigins: [], store }, { client, logger, timeoutMs: 300 });
    assert.deepEqual(warnings, [
      "warm-up incomplete (no answer within 300 ms); the first request pays for the rest",
    ]);
    client.destroy();
    silent.close();
  });
});

describe("dryRun", () => {
  test("answers the store from memory while it runs: a create is found by search, and nothing is written", async () => {
    const { store } = await createTestStore(database);
    const found = await dryRun(database.client, async () => {
      const { memory } = await store.create("The user's dog is called Biscuit.", ["pets"]);
      const all = (await store.all()).map((indexed) => indexed.id);
      return { id: memory.id, all, got: await store.get(memory.id) };
    });
    assert.deepEqual(found.all, [found.id]);
    assert.equal(found.got?.content, "The user's dog is called Biscuit.");
    assert.equal(await store.get(found.id), undefined);
    assert.deepEqual((await store.list({ limit: 10 })).memories, []);
  });

  test("switches the index on at the first search, so the second takes the index path and finds by BatchGetItem", async () => {
    const { store } = await createTestStore(database, { scanAtMost: 0 });
    const operations: string[] = [];
    const recorder = "test-operation-recorder";
    database.client.middlewareStack.add(
      (next) => async (args) => {
        const { headers } = args.request as { headers: Record<string, string> }; // an HttpRequest at this step
        operations.push(headers["x-amz-target"]?.split(".")[1] ?? "");
        return next(args);
      },
      { step: "finalizeRequest", name: recorder },
    );
    try {
      const hits = await dryRun(database.client, async () => {
        const { memory } = await store.create("The user's cat is called Miso.", ["pets"]);
        await store.search("cat", { tags: [], limit: 5 });
        operations.length = 0;
        const second = await store.search("what is the cat called", { tags: ["pets"], limit: 5 });
        return { id: memory.id, hits: second.hits.map((hit) => hit.memory.id) };
      });
      // Found through the index entries the create's transaction SET, which the dry run keeps.
      assert.deepEqual(hits.hits, [hits.id]);
      // The index state, the buckets of the terms and the tag, the hits; no UpdateItem: the index is on.
      assert.deepEqual(operations, ["Query", "BatchGetItem", "BatchGetItem"]);
    } finally {
      database.client.middlewareStack.remove(recorder);
    }
    assert.deepEqual((await store.list({ limit: 10 })).memories, []);
    assert.deepEqual((await store.search("cat", { tags: [], limit: 5 })).hits, []);
  });

  test("lets calls through to DynamoDB again once it is over", async () => {
    const { store } = await createTestStore(database);
    await dryRun(database.client, async () => {});
    const { memory } = await store.create("The user is allergic to peanuts.", ["health"]);
    assert.equal((await store.get(memory.id))?.content, "The user is allergic to peanuts.");
  });

  test("refuses a client that caches its middleware, which would keep the dry run for good", async () => {
    const client = new DynamoDBClient({ region: "us-east-1", cacheMiddleware: true });
    await assert.rejects(
      dryRun(client, async () => {}),
      /dryRun needs a client without cacheMiddleware/,
    );
    client.destroy();
  });
});
