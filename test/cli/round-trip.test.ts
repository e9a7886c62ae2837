// Pins down that a JSONL export is a lossless backup of the local data directory: 1,000 memories in many
// scripts (CJK, emoji, right-to-left) and sizes (up to 10,000 characters), some updated since created,
// survive export, wipe, import and export byte for byte.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { createDynamoDbStore } from "../../src/dynamodb/memory-store.ts";
import { openLocalDatabase } from "../../src/local/database.ts";
import { toJsonLine } from "../../src/memory/jsonl.ts";
import type { Memory } from "../../src/memory/memory-store.ts";
import { cli, sampleMemory, tempDir } from "./support.ts";

const COUNT = 1_000;

describe("export, wipe, import, export", () => {
  const dataDir = tempDir();
  /** What the store held after seeding, newest first. */
  let seeded: Memory[] = [];

  before(async () => {
    const database = await openLocalDatabase(dataDir);
    const store = createDynamoDbStore({ ...database, cursorSecret: "seed" });
    try {
      const memories: Memory[] = [];
      for (let index = 0; index < COUNT; index++) {
        const { content, tags } = sampleMemory(index);
        memories.push((await store.create(content, tags)).memory);
      }
      // Some memories move on to later versions, so updatedAt and version differ from a fresh create.
      for (let index = 3; index < COUNT; index += 40) {
        const current = memories[index];
        assert.ok(current);
        memories[index] = (await store.update(current.id, { tags: [...current.tags, "updated"] })).memory;
      }
      seeded = memories.reverse();
    } finally {
      await database.close();
    }
  });

  test("export, wipe, import and export again give the same file byte for byte", async () => {
    const first = join(dataDir, "..", `${Date.now()}-a.jsonl`);
    const exported = await cli(["export", "--data-dir", dataDir, "--out", first]);
    assert.deepEqual(exported, {
      code: 0,
      stdout: "",
      stderr: `Exported 1,000 memories from the data directory ${dataDir} to ${first} (jsonl).\n`,
    });
    // Every memory, newest first, one line each in the format shared with the web page's download.
    assert.equal(readFileSync(first, "utf8"), seeded.map((memory) => `${toJsonLine(memory)}\n`).join(""));

    const wiped = await cli(["wipe", "--yes", "--data-dir", dataDir]);
    assert.deepEqual(wiped, {
      code: 0,
      stdout: "",
      stderr:
        `Deleting 1,000 memories from the data directory ${dataDir}...\n` +
        `Deleted 1,000 memories from the data directory ${dataDir}.\n`,
    });
    assert.deepEqual(await cli(["count", "--data-dir", dataDir]), { code: 0, stdout: "0\n", stderr: "" });

    const imported = await cli(["import", first, "--data-dir", dataDir]);
    assert.deepEqual(imported, {
      code: 0,
      stdout: "",
      stderr:
        `Reading ${first} as jsonl (judged from its first line; --from chooses).\n` +
        `Into the data directory ${dataDir} from ${first} (jsonl): ` +
        "imported 1,000 memories, 0 were there already, 0 lines refused.\n",
    });
    const second = join(dataDir, "..", `${Date.now()}-b.jsonl`);
    assert.equal((await cli(["export", "--data-dir", dataDir, "--out", second])).code, 0);
    assert.equal(readFileSync(second, "utf8"), readFileSync(first, "utf8"));
  });
});
