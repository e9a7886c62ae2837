// Search quality on a realistic personal memory set: precision@1 and MRR@10 of rankMemories over
// hand-written questions asked in a person's words, with floors so a change to the analyser cannot quietly
// make search worse.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { IndexedMemory, Memory } from "../../src/memory/memory-store.ts";
import { analyze } from "../../src/search/analyze.ts";
import { rankMemories } from "../../src/search/rank.ts";

interface Question {
  question: string;
  /** Ids of the memories that answer it; the top hit must be one of them. */
  answers: string[];
}

function readFixture<T>(name: string): T {
  const url = new URL(`../fixtures/search/${name}`, import.meta.url);
  // The fixtures are ours and checked by the shape assertions below; JSON.parse cannot know their type.
  return JSON.parse(readFileSync(url, "utf8")) as T;
}

const memories = readFixture<Memory[]>("memories.json");
const questions = readFixture<Question[]>("questions.json");
// Indexed exactly as the store does at write time.
const indexed: IndexedMemory[] = memories.map((memory) => ({
  ...memory,
  terms: analyze(`${memory.content} ${memory.tags.join(" ")}`),
}));

const P_AT_1_FLOOR = 0.84;
const MRR_FLOOR = 0.89;

test("the fixture is big enough to mean something and every answer exists", () => {
  assert.ok(memories.length >= 200, `${memories.length} memories`);
  assert.ok(questions.length >= 50, `${questions.length} questions`);
  const ids = new Set(memories.map((memory) => memory.id));
  assert.equal(ids.size, memories.length);
  for (const { question, answers } of questions) {
    assert.ok(answers.length > 0, question);
    for (const id of answers) assert.ok(ids.has(id), `${question}: unknown answer ${id}`);
  }
});

test(`precision@1 >= ${P_AT_1_FLOOR} and MRR@10 >= ${MRR_FLOOR} on the personal memory fixture`, () => {
  let hitsAtOne = 0;
  let reciprocalRanks = 0;
  const misses: string[] = [];
  for (const { question, answers } of questions) {
    const ranked = rankMemories(question, indexed, 10).map((hit) => hit.memory.id);
    const rank = ranked.findIndex((id) => answers.includes(id)) + 1;
    if (rank === 1) hitsAtOne += 1;
    if (rank > 0) reciprocalRanks += 1 / rank;
    if (rank !== 1) misses.push(`  ${rank === 0 ? "-" : rank} ${question}`);
  }
  const precisionAtOne = hitsAtOne / questions.length;
  const mrr = reciprocalRanks / questions.length;
  console.log(
    `search quality: P@1=${precisionAtOne.toFixed(2)} MRR=${mrr.toFixed(2)} over ${questions.length} questions, ${memories.length} memories`,
  );
  if (process.env.SEARCH_QUALITY_VERBOSE)
    console.log(`rank of the first right answer, misses:\n${misses.join("\n")}`);
  assert.ok(precisionAtOne >= P_AT_1_FLOOR, `P@1 ${precisionAtOne}`);
  assert.ok(mrr >= MRR_FLOOR, `MRR ${mrr}`);
});
