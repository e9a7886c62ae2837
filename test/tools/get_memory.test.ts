// Pins down get_memory as the model sees it, through the real Lambda handler against dynalite: the memory
// whole, case-insensitive ids, and an unknown or malformed id as an isError result that says what to do.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UNKNOWN_ID, useToolClient } from "../helpers/tools.ts";

const { call, fail, create } = useToolClient();

describe("get_memory", () => {
  test("get returns the memory whole; ids are case-insensitive", async () => {
    const created = await create(`Whole ${"long text ".repeat(200)}`);
    assert.deepEqual(await call("get_memory", { id: created.id.toLowerCase() }), { memory: created });
  });

  test("an unknown id is an isError result that says what to do", async () => {
    assert.equal(
      await fail("get_memory", { id: UNKNOWN_ID }),
      `No memory has id ${UNKNOWN_ID}. Use search_memories or list_memories to find the right id.`,
    );
  });

  test("a malformed id is an argument error", async () => {
    assert.equal(
      await fail("get_memory", { id: "42" }),
      'Invalid arguments for get_memory: "id": must be a memory id: 26 letters and digits as returned by the other tools',
    );
  });
});
