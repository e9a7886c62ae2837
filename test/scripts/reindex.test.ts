// Pins down `make reindex` (scripts/reindex.ts, run as `npm run reindex`) as a person runs it against a
// deployed table: the table named by TABLE_NAME, DynamoDB found the way the AWS CLI finds it (here
// AWS_ENDPOINT_URL_DYNAMODB pointing at dynalite), every memory of an older version indexed, one line saying
// what it did, and a clear refusal without TABLE_NAME.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { Memory } from "../../src/memory/memory-store.ts";
import { createTestStore, type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import { assertIndexConsistent, expectedSearch, olderMemoryItem } from "../helpers/search-index.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);
// Our own fixture; its shape is checked by test/search/quality.test.ts.
const memories = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/search/memories.json"), "utf8"),
) as Memory[];

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

/** scripts/reindex.ts in a process of its own, with only the environment a person would set. */
function reindex(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "reindex.ts")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    },
  });
}

describe("make reindex", () => {
  test("indexes every memory of a table written before the index, and says so", async () => {
    const { store, tableName } = await createTestStore(database, { scanAtMost: 0 });
    for (const memory of memories.slice(0, 30)) {
      await database.client.send(new PutItemCommand({ TableName: tableName, Item: olderMemoryItem(memory) }));
    }
    const { stdout } = await reindex({ TABLE_NAME: tableName, AWS_ENDPOINT_URL_DYNAMODB: database.endpoint });
    assert.equal(
      stdout,
      `reindex: ${tableName}: indexed 30 memories, settled 0 pending; the index is built\n`,
    );
    await assertIndexConsistent(database.client, tableName);
    const query = "when is my daughter's birthday";
    assert.deepStrictEqual(await store.search(query, { limit: 10 }), await expectedSearch(store, query, 10));
  });

  test("refuses to run without TABLE_NAME, saying where it comes from", async () => {
    await assert.rejects(reindex({ AWS_ENDPOINT_URL_DYNAMODB: database.endpoint }), (error: unknown) => {
      const { code, stderr } = error as { code?: number; stderr?: string }; // execFile's error on a failed exit
      assert.equal(code, 2);
      assert.equal(stderr, "reindex: set TABLE_NAME to the memory table (terraform output table_name)\n");
      return true;
    });
  });
});
