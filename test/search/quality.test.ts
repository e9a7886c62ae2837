// Search quality on a realistic personal memory set: precision@1 and MRR@10 of rankMemories over
// hand-written questions asked in a person's words, with floors so a change to the analyser cannot quietly
// make search worse. A second set asks in other words than the memories use: each question also carries the
// expanded query (key terms, synonyms, related words) a model writes when search_memories' description asks
// for one; the expanded queries have a floor of their own, the plain ones are reported for comparison.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { IndexedMemory, Memory } from "../../src/memory/memory-store.ts";
import { analyze } from "../../src/search/analyze.ts";
import { rankMemories } from "../../src/search/rank.ts";
import { searchMemories } from "../../src/tools/search_memories.ts";

interface Question {
  question: string;
  /** Ids of the memories that answer it; the top hit must be one of them. */
  answers: string[];
}

interface Paraphrase extends Question {
  /** The query a model writes from the tool description: the key terms plus synonyms and related words. */
  expanded: string;
}

function readFixture<T>(name: string): T {
  const url = new URL(`../fixtures/search/${name}`, import.meta.url);
  // The fixtures are ours and checked by the shape assertions below; JSON.parse cannot know their type.
  return JSON.parse(readFileSync(url, "utf8")) as T;
}

const memories = readFixture<Memory[]>("memories.json");
const questions = readFixture<Question[]>("questions.json");
const paraphrases = readFixture<Paraphrase[]>("paraphrases.json");
// Indexed exactly as the store does at write time.
const indexed: IndexedMemory[] = memories.map((memory) => ({
  ...memory,
  terms: analyze(`${memory.content} ${memory.tags.join(" ")}`),
}));

const P_AT_1_FLOOR = 0.84;
const MRR_FLOOR = 0.89;
const EXPANDED_P_AT_1_FLOOR = 0.9;
const EXPANDED_MRR_FLOOR = 0.93;

interface Quality {
  precisionAtOne: number;
  mrr: number;
  /** "<rank or -> <query>" for every query whose top hit is wrong. */
  misses: string[];
}

/** Precision@1 and MRR@10 of rankMemories over the fixture for these queries. */
function measure(queries: readonly { query: string; answers: readonly string[] }[]): Quality {
  let hitsAtOne = 0;
  let reciprocalRanks = 0;
  const misses: string[] = [];
  for (const { query, answers } of queries) {
    const ranked = rankMemories(query, indexed, 10).map((hit) => hit.memory.id);
    const rank = ranked.findIndex((id) => answers.includes(id)) + 1;
    if (rank === 1) hitsAtOne += 1;
    if (rank > 0) reciprocalRanks += 1 / rank;
    if (rank !== 1) misses.push(`  ${rank === 0 ? "-" : rank} ${query}`);
  }
  return { precisionAtOne: hitsAtOne / queries.length, mrr: reciprocalRanks / queries.length, misses };
}

function report(label: string, quality: Quality, count: number): void {
  console.log(
    `search quality, ${label}: P@1=${quality.precisionAtOne.toFixed(2)} MRR=${quality.mrr.toFixed(2)} over ${count} questions, ${memories.length} memories`,
  );
  if (process.env.SEARCH_QUALITY_VERBOSE)
    console.log(`rank of the first right answer, misses:\n${quality.misses.join("\n")}`);
}

test("the fixture is big enough to mean something and every answer exists", () => {
  assert.ok(memories.length >= 200, `${memories.length} memories`);
  assert.ok(questions.length >= 50, `${questions.length} questions`);
  assert.equal(paraphrases.length, 30);
  const ids = new Set(memories.map((memory) => memory.id));
  assert.equal(ids.size, memories.length);
  for (const { question, answers } of [...questions, ...paraphrases]) {
    assert.ok(answers.length > 0, question);
    for (const id of answers) assert.ok(ids.has(id), `${question}: unknown answer ${id}`);
  }
  for (const { question, expanded } of paraphrases) assert.ok(expanded.trim() !== "", question);
});

test(`precision@1 >= ${P_AT_1_FLOOR} and MRR@10 >= ${MRR_FLOOR} on the personal memory fixture`, () => {
  const quality = measure(questions.map(({ question, answers }) => ({ query: question, answers })));
  report("questions", quality, questions.length);
  assert.ok(quality.precisionAtOne >= P_AT_1_FLOOR, `P@1 ${quality.precisionAtOne}`);
  assert.ok(quality.mrr >= MRR_FLOOR, `MRR ${quality.mrr}`);
});

test(`questions in other words: expanded queries reach P@1 >= ${EXPANDED_P_AT_1_FLOOR} and MRR@10 >= ${EXPANDED_MRR_FLOOR}`, () => {
  const plain = measure(paraphrases.map(({ question, answers }) => ({ query: question, answers })));
  const expanded = measure(paraphrases.map(({ expanded, answers }) => ({ query: expanded, answers })));
  report("paraphrases as asked", plain, paraphrases.length);
  report("paraphrases expanded", expanded, paraphrases.length);
  assert.ok(expanded.precisionAtOne > plain.precisionAtOne, "expanding the query is what finds them");
  assert.ok(expanded.precisionAtOne >= EXPANDED_P_AT_1_FLOOR, `P@1 ${expanded.precisionAtOne}`);
  assert.ok(expanded.mrr >= EXPANDED_MRR_FLOOR, `MRR ${expanded.mrr}`);
});

test("search_memories' description asks for synonyms, and its own example finds the memory it is about", () => {
  const example =
    /key terms plus likely synonyms and related words, e\.g\. for "([^"]+)" search "([^"]+)"/.exec(
      searchMemories.description,
    );
  assert.ok(example, searchMemories.description);
  const [, question = "", expanded = ""] = example;
  const penicillin = memories.find((memory) => memory.content.startsWith("I'm allergic to penicillin"));
  assert.ok(penicillin);
  assert.deepEqual(
    [question, expanded].map((query) => rankMemories(query, indexed, 1)[0]?.memory.id === penicillin.id),
    [false, true],
    "the question as asked misses the penicillin allergy; the expanded query finds it first",
  );
});
