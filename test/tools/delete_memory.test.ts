// Pins down delete_memory as the model sees it, through the real Lambda handler against dynalite: it
// returns what it removed, the content may be stored again afterwards, and an unknown id is an isError.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UNKNOWN_ID, useToolClient } from "../helpers/tools.ts";

const { call, fail, create } = useToolClient();

describe("delete_memory", () => {
  test("delete returns what was removed, and the content can be stored again afterwards", async () => {
    const created = await create("Temporary: parking on level 3, spot 42.");
    assert.deepEqual(await call("delete_memory", { id: created.id }), { deleted: created });
    assert.match(await fail("get_memory", { id: created.id }), /^No memory has id/);
    const recreated = await call("create_memory", { content: "Temporary: parking on level 3, spot 42." });
    assert.equal(recreated.duplicate, false);
    assert.notEqual(recreated.memory.id, created.id);
  });

  test("an unknown id is an isError result naming the id", async () => {
    assert.match(
      await fail("delete_memory", { id: UNKNOWN_ID }),
      new RegExp(`^No memory has id ${UNKNOWN_ID}`),
    );
  });
});
