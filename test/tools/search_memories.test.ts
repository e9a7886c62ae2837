// Pins down search_memories as the model sees it, through the real Lambda handler against dynalite: the
// memory a natural question is about comes first with its score and snippet, accents and case do not
// matter, nothing relevant means no results, and limit bounds the answer.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { useToolClient } from "../helpers/tools.ts";

const { call, fail, create } = useToolClient();

describe("search_memories", () => {
  test("finds the memory a natural question is about, best first, with score and snippet", async () => {
    const tag = `search-${Date.now()}`;
    const birthday = await create("My daughter Mia was born on 14 March 2019.", [tag]);
    await create("My son Leo's favourite dinosaur is the stegosaurus.", [tag]);
    await create("The dog's vet appointment is every March.", [tag]);
    const { results, searched } = await call("search_memories", {
      query: "When was my daughter born?",
      tags: [tag],
    });
    assert.equal(searched, 3);
    assert.equal(results[0]?.id, birthday.id);
    assert.equal(results[0]?.snippet, "My daughter Mia was born on 14 March 2019.");
    assert.ok(results.every((result, i) => i === 0 || (results[i - 1]?.score ?? 0) >= result.score));
  });

  test("accents and case do not matter, and nothing relevant means no results", async () => {
    const tag = `accents-${Date.now()}`;
    const cafe = await create("Our favourite CAFÉ is Café Señor in Zürich.", [tag]);
    const found = await call("search_memories", { query: "cafe senor zurich", tags: [tag] });
    assert.deepEqual(
      found.results.map((result) => result.id),
      [cafe.id],
    );
    assert.deepEqual(await call("search_memories", { query: "quantum chromodynamics", tags: [tag] }), {
      results: [],
      searched: 1,
    });
    assert.deepEqual(await call("search_memories", { query: "the of and", tags: [tag] }), {
      results: [],
      searched: 1,
    });
  });

  test("limit bounds the results", async () => {
    const tag = `limit-${Date.now()}`;
    for (let i = 0; i < 6; i++) await create(`Limit memory about apples number ${i}.`, [tag]);
    const { results } = await call("search_memories", { query: "apples", tags: [tag], limit: 4 });
    assert.equal(results.length, 4);
    assert.match(await fail("search_memories", { query: "apples", limit: 26 }), /"limit": must be <= 25/);
  });
});
