// Pins down how rankMemories orders and presents results: which memories match, BM25 ordering, ties to the
// newer memory, rounding, limits, the hit's shape, and snippets cut from the original text without ever
// splitting a word, a surrogate pair or a combining sequence.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { IndexedMemory } from "../../src/memory/memory-store.ts";
import { analyze } from "../../src/search/analyze.ts";
import { rankMemories, type SearchHit, SNIPPET_MAX_LENGTH } from "../../src/search/rank.ts";

/** A ULID-shaped id; a larger n is a newer memory. */
function ulid(n: number): string {
  return `01J${String(n).padStart(23, "0")}`;
}

/** A memory indexed the way the store indexes it. */
function memory(n: number, content: string, tags: string[] = []): IndexedMemory {
  return {
    id: ulid(n),
    content,
    tags,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    version: 1,
    terms: analyze(`${content} ${tags.join(" ")}`),
  };
}

function ids(hits: SearchHit[]): string[] {
  return hits.map((hit) => hit.memory.id);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });

/** The snippet's text without its ellipses, and where it sits in the content. */
function snippetBody(hit: SearchHit): { body: string; start: number } {
  const body = hit.snippet.replace(/^…/, "").replace(/…$/, "");
  const start = hit.memory.content.indexOf(body);
  assert.ok(start >= 0, `snippet is not a slice of the content: ${hit.snippet}`);
  return { body, start };
}

function isGraphemeBoundary(text: string, index: number): boolean {
  if (index === 0 || index === text.length) return true;
  return graphemes.segment(text).containing(index)?.index === index;
}

describe("matching", () => {
  const docs = [
    memory(1, "I'm allergic to penicillin."),
    memory(2, "Our dog is Biscuit, a cockapoo."),
    memory(3, "Hannah is allergic to cats."),
  ];

  test("returns only memories sharing a term with the query", () => {
    assert.deepEqual(ids(rankMemories("penicillin", docs, 10)), [ulid(1)]);
  });

  test("returns nothing when nothing matches", () => {
    assert.deepEqual(rankMemories("kayak", docs, 10), []);
  });

  test("returns nothing for an empty query or one made only of stop words", () => {
    assert.deepEqual(rankMemories("", docs, 10), []);
    assert.deepEqual(rankMemories("   ", docs, 10), []);
    assert.deepEqual(rankMemories("what is it that I was?", docs, 10), []);
    assert.deepEqual(rankMemories("🦄🌈", docs, 10), []);
  });

  test("returns nothing from an empty collection", () => {
    assert.deepEqual(rankMemories("penicillin", [], 10), []);
  });

  test("matches regardless of case and accents", () => {
    const accented = [memory(1, "Zoë lives two doors down."), memory(2, "Café Olé does pain au chocolat.")];
    assert.deepEqual(ids(rankMemories("ZOE", accented, 10)), [ulid(1)]);
    assert.deepEqual(ids(rankMemories("cafe ole", accented, 10)), [ulid(2)]);
  });

  test("matches through tags", () => {
    const tagged = [memory(1, "Bin day is Tuesday.", ["home"]), memory(2, "Standup at 9:45.", ["work"])];
    assert.deepEqual(ids(rankMemories("work", tagged, 10)), [ulid(2)]);
  });

  test("finds a birthday when asked when someone was born", () => {
    const family = [memory(1, "Maya's birthday is 14 March."), memory(2, "Maya likes horses.")];
    assert.deepEqual(ids(rankMemories("when was Maya born?", family, 10)), [ulid(1), ulid(2)]);
  });

  test("finds CJK memories from a CJK question", () => {
    const mixed = [memory(1, "同事王磊的生日是十月十二日。"), memory(2, "我最喜欢的菜是麻婆豆腐。")];
    assert.deepEqual(ids(rankMemories("王磊的生日是几月几号？", mixed, 10)), [ulid(1)]);
  });
});

describe("ordering", () => {
  test("puts the memory matching more of the query first", () => {
    const docs = [
      memory(1, "Passport renewal form is in the drawer."),
      memory(2, "My passport expires in July 2027."),
      memory(3, "The car insurance expires in March."),
    ];
    assert.deepEqual(ids(rankMemories("when does my passport expire?", docs, 10)), [
      ulid(2),
      ulid(1),
      ulid(3),
    ]);
  });

  test("weighs a rare term above a common one", () => {
    const docs = [
      memory(1, "Lunch with Kofi on Friday."),
      memory(2, "Lunch with Priya on Monday."),
      memory(3, "Lunch with Sam on Tuesday."),
      memory(4, "Dinner with Conor on Sunday."),
    ];
    // "lunch" is in three memories, "conor" in one.
    assert.deepEqual(ids(rankMemories("lunch Conor", docs, 1)), [ulid(4)]);
  });

  test("prefers the memory that opens with the term", () => {
    const docs = [memory(1, "Editor: Neovim with LazyVim."), memory(2, "Neovim colours match the editor.")];
    assert.deepEqual(ids(rankMemories("which editor do I use?", docs, 10)), [ulid(1), ulid(2)]);
  });

  test("breaks ties by putting the newer memory (larger id) first", () => {
    const docs = [
      memory(5, "Dentist check-up in March."),
      memory(9, "Dentist check-up in March."),
      memory(7, "Dentist check-up in March."),
    ];
    const hits = rankMemories("dentist", docs, 10);
    assert.deepEqual(ids(hits), [ulid(9), ulid(7), ulid(5)]);
    assert.equal(new Set(hits.map((hit) => hit.score)).size, 1);
  });

  test("returns at most `limit` hits, the best ones", () => {
    const docs = Array.from({ length: 30 }, (_, n) =>
      memory(n, `Note ${n} about the garden${" shed".repeat(n % 3)}.`),
    );
    const all = rankMemories("garden shed", docs, 100);
    assert.equal(all.length, 30);
    assert.deepEqual(rankMemories("garden shed", docs, 5), all.slice(0, 5));
    assert.deepEqual(rankMemories("garden shed", docs, 0), []);
  });

  test("gives positive scores rounded to 4 decimals, best first", () => {
    const docs = [memory(1, "Tea with milk."), memory(2, "Tea, tea and more tea."), memory(3, "Coffee.")];
    const scores = rankMemories("tea", docs, 10).map((hit) => hit.score);
    assert.equal(scores.length, 2);
    for (const score of scores) {
      assert.ok(score > 0);
      assert.equal(score, Math.round(score * 10_000) / 10_000);
    }
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
  });

  test("reads the collection once, so a generator works", () => {
    function* stream(): Generator<IndexedMemory> {
      yield memory(1, "Boiler service every January.");
      yield memory(2, "Bins go out on Tuesday.");
    }
    assert.deepEqual(ids(rankMemories("boiler", stream(), 10)), [ulid(1)]);
  });
});

describe("long queries of related words", () => {
  // What search_memories' description asks the model for: the key terms plus synonyms and related words.
  const query = "food allergy allergies allergic nut peanut intolerance family kids";
  const docs = [
    // Matches two of the words (allergic, kid), the first at its start, which counts triple.
    memory(1, "I'm allergic to penicillin — came out in hives as a kid. Amoxicillin counts too.", ["health"]),
    // Matches three (peanut, allergy, family), all further in.
    memory(
      2,
      "Maya has a mild peanut allergy. She carries an antihistamine (Piriton) to school; the paediatrician said no EpiPen is needed for now.",
      ["family", "health", "maya"],
    ),
    memory(3, "Family calendar is shared in Google Calendar.", ["family"]),
    memory(4, "House rule: no screens for the kids on school nights.", ["family"]),
    memory(5, "Our dog is Biscuit, a cockapoo we got as a puppy.", ["pets"]),
    memory(6, "Friday takeaway is usually pizza.", ["food"]),
  ];

  test("the memory matching more of the words ranks above a short one matching fewer at its start", () => {
    assert.deepEqual(ids(rankMemories(query, docs, 2)), [ulid(2), ulid(1)]);
  });
});

describe("hits", () => {
  test("carry the stored memory without its terms, and a short memory whole as the snippet", () => {
    const stored = memory(3, "Blood type O negative.", ["health"]);
    const [hit] = rankMemories("blood group", [stored], 10);
    assert.deepEqual(hit, {
      memory: {
        id: ulid(3),
        content: "Blood type O negative.",
        tags: ["health"],
        createdAt: "2025-01-01T00:00:00.000Z",
        updatedAt: "2025-01-01T00:00:00.000Z",
        version: 1,
      },
      // One memory of 5 terms: IDF ln(1 + 0.5/1.5); "blood" opens it, so tf = 1 + 2; BM25 with K1 1.2 gives
      // 0.4521. It matches "blood" (weight 1) of blood, group and their agent nouns blooder, grouper (0.5
      // each): a third of the query's weight, so a third of that.
      score: 0.1507,
      snippet: "Blood type O negative.",
      snippetTruncated: false,
    });
  });
});

describe("snippets", () => {
  const filler = (words: number, word = "lorem"): string =>
    Array.from({ length: words }, () => word).join(" ");

  test("cut a long memory around the match, at word boundaries, with ellipses", () => {
    const content = `${filler(100)} The babysitter is Ellie, £12 an hour. ${filler(100, "ipsum")}`;
    const [hit] = rankMemories("who is the babysitter?", [memory(1, content)], 10);
    assert.ok(hit);
    assert.equal(hit.snippetTruncated, true);
    assert.ok(hit.snippet.length <= SNIPPET_MAX_LENGTH, `${hit.snippet.length}`);
    assert.ok(hit.snippet.startsWith("…") && hit.snippet.endsWith("…"));
    assert.ok(hit.snippet.includes("The babysitter is Ellie, £12 an hour."));
    const { body, start } = snippetBody(hit);
    assert.equal(content[start - 1], " ");
    assert.equal(content[start + body.length], " ");
  });

  test("keep the original text, not the analysed form", () => {
    const content = `Zoë's mum is Anaïs, who TEACHES yoga. ${filler(80)}`;
    const [hit] = rankMemories("zoe", [memory(1, content)], 10);
    assert.ok(hit?.snippet.startsWith("Zoë's mum is Anaïs, who TEACHES yoga."));
    assert.ok(hit?.snippet.endsWith("…"));
  });

  test("do not start with an ellipsis when the match is near the start", () => {
    const content = `Dentist: Smile Studio on Grove Vale. ${filler(100)}`;
    const [hit] = rankMemories("dentist", [memory(1, content)], 10);
    assert.equal(hit?.snippet.startsWith("Dentist: Smile Studio"), true);
    assert.equal(hit?.snippetTruncated, true);
  });

  test("end at the content's end without an ellipsis when the match is near the end", () => {
    const content = `${filler(100)} Passport expires July 2027.`;
    const [hit] = rankMemories("passport", [memory(1, content)], 10);
    assert.equal(hit?.snippet.endsWith("Passport expires July 2027."), true);
    assert.equal(hit?.snippet.startsWith("…"), true);
  });

  test("pick the region with the most distinct query terms", () => {
    const content = [
      "Japan notes.",
      filler(60),
      "The Japan trip budget is £8,000 for spring.",
      filler(60),
      "Japan again.",
    ].join(" ");
    const [hit] = rankMemories("Japan trip budget", [memory(1, content)], 10);
    assert.ok(hit?.snippet.includes("The Japan trip budget is £8,000 for spring."), hit?.snippet);
  });

  test("start at the beginning when only a tag matched", () => {
    const content = `Bouldering on Thursdays at The Arch. ${filler(80)}`;
    const [hit] = rankMemories("hobbies", [memory(1, content, ["hobbies"])], 10);
    assert.equal(hit?.snippet.startsWith("Bouldering on Thursdays"), true);
  });

  test("never split a surrogate pair or a grapheme, even without spaces", () => {
    const family = "👨‍👩‍👧";
    const accented = "e\u0301";
    const contents = [
      `${family.repeat(60)}passport${family.repeat(60)}`,
      `${accented.repeat(150)} passport ${accented.repeat(150)}`,
      `${"🦄".repeat(100)}passport${"🌈".repeat(100)}`,
      `${"日本語の先生は田中さんです".repeat(12)}パスポート${"毎週日曜日".repeat(30)}`,
    ];
    for (const content of contents) {
      const query = content.includes("パスポート") ? "パスポート" : "passport";
      const [hit] = rankMemories(query, [memory(1, content)], 10);
      assert.ok(hit, content.slice(0, 20));
      assert.equal(hit.snippetTruncated, true);
      assert.ok(hit.snippet.length <= SNIPPET_MAX_LENGTH);
      assert.doesNotMatch(hit.snippet, LONE_SURROGATE);
      const { body, start } = snippetBody(hit);
      assert.ok(isGraphemeBoundary(content, start), `start ${start}`);
      assert.ok(isGraphemeBoundary(content, start + body.length), `end ${start + body.length}`);
      assert.ok(body.includes(query === "passport" ? "passport" : "パスポート"));
    }
  });

  test("show part of a single grapheme longer than a snippet rather than nothing", () => {
    const content = `z${"\u0301".repeat(500)} 🦄🦄`;
    const [hit] = rankMemories("z", [memory(1, content)], 10);
    assert.equal(hit?.snippet, `z${"\u0301".repeat(SNIPPET_MAX_LENGTH - 3)}…`);
  });

  test("survive content far longer than the analysed-term cap", () => {
    const content = `${filler(6_000)} needle`;
    const [hit] = rankMemories("lorem", [memory(1, content)], 10);
    assert.ok(hit);
    assert.ok(hit.snippet.length <= SNIPPET_MAX_LENGTH);
  });
});

describe("scale", () => {
  // A guard against accidentally quadratic work, counted rather than timed (so a loaded machine cannot fail
  // it): the speed itself is measured by `npm run bench:search`.
  test("ranks 10,000 memories of ~80 terms in one pass over their terms, reading contents only for the hits", () => {
    const vocabulary = Array.from({ length: 5_000 }, (_, n) => `w${n}`);
    let seed = 1;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    let termReads = 0;
    let contentReads = 0;
    const docs: IndexedMemory[] = Array.from({ length: 10_000 }, (_, n) => {
      const terms = Array.from(
        { length: 80 },
        () => vocabulary[Math.floor(next() * vocabulary.length)] ?? "w0",
      );
      const { content, ...stored } = memory(n, terms.join(" "));
      const countedTerms = new Proxy(terms, {
        get(target, key, receiver) {
          if (typeof key === "string" && key !== "length") termReads += 1;
          return Reflect.get(target, key, receiver);
        },
      });
      return Object.defineProperty({ ...stored, content, terms: countedTerms }, "content", {
        enumerable: true,
        get: () => {
          contentReads += 1;
          return content;
        },
      });
    });
    const hits = rankMemories("w1 w2 w3 w4000", docs, 10);
    assert.equal(hits.length, 10);
    assert.ok(termReads <= 10_000 * 80, `${termReads} reads of 800,000 stored terms`);
    assert.ok(contentReads <= 2 * hits.length, `${contentReads} reads of contents for ${hits.length} hits`);
  });
});
