// Pins down how text becomes search terms: normalisation (case, accents, width), stop words, stemming,
// apostrophes, numbers, CJK bigrams, emoji, the term cap, the offsets used for snippets, and query expansion;
// and what a word is, over generated text and every code point.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  analyze,
  analyzeQuery,
  analyzeWithOffsets,
  EXPANSION_WEIGHT,
  MAX_TERMS,
} from "../../src/search/analyze.ts";

describe("normalisation", () => {
  test("is case-insensitive", () => {
    assert.deepEqual(analyze("NEOVIM Neovim neovim"), ["neovim", "neovim", "neovim"]);
  });

  test("is accent-insensitive", () => {
    assert.deepEqual(analyze("Café Zoë Núñez"), analyze("cafe zoe nunez"));
    assert.deepEqual(analyze("Café Zoë Núñez"), ["cafe", "zoe", "nunez"]);
  });

  test("treats decomposed and precomposed accents alike", () => {
    assert.deepEqual(analyze("Roi\u0301si\u0301n"), analyze("Róisín"));
    assert.deepEqual(analyze("Róisín"), ["roisin"]);
  });

  test("folds full-width letters and ligatures (NFKC)", () => {
    assert.deepEqual(analyze("ＡＷＳ ﬁle"), ["aw", "file"]);
  });

  test("folds letters that have no decomposition", () => {
    assert.deepEqual(analyze("Straße Søren Łódź Œuvre"), analyze("strasse soren lodz oeuvre"));
  });

  test("keeps Indic vowel signs, which are part of the word", () => {
    assert.deepEqual(analyze("हिन्दी भाषा"), ["हिन्दी", "भाषा"]);
  });
});

describe("stop words", () => {
  test("drops function words and question words", () => {
    assert.deepEqual(analyze("When was my daughter born?"), ["daughter", "born"]);
  });

  test("returns nothing for a text made only of stop words", () => {
    assert.deepEqual(analyze("What is it that they were doing there?"), []);
    assert.deepEqual(analyze(""), []);
    assert.deepEqual(analyze("  ,.;!? "), []);
  });

  test("keeps short words that carry meaning", () => {
    assert.deepEqual(analyze("no meat in May, not even for us"), ["no", "meat", "mai", "even", "us"]);
  });
});

describe("stemming", () => {
  test("matches plurals", () => {
    assert.deepEqual(analyze("birthday birthdays allergy allergies"), [
      "birthdai",
      "birthdai",
      "allergi",
      "allergi",
    ]);
  });

  test("matches -ing, -ed and -ly forms", () => {
    assert.deepEqual(analyze("running runs"), ["run", "run"]);
    assert.deepEqual(analyze("booked booking books"), ["book", "book", "book"]);
    assert.deepEqual(analyze("quickly quick"), ["quickli", "quick"]);
  });

  test("leaves born and birth apart (query expansion joins them)", () => {
    assert.deepEqual(analyze("born birth"), ["born", "birth"]);
  });
});

describe("apostrophes", () => {
  test("drops the possessive 's, with either apostrophe", () => {
    assert.deepEqual(analyze("daughter's daughter’s daughters'"), ["daughter", "daughter", "daughter"]);
  });

  test("drops English contractions down to their stem", () => {
    assert.deepEqual(analyze("I'm sure we'll say they've said it didn't"), ["sure", "sai", "said"]);
  });

  test("drops French and Italian elided articles", () => {
    assert.deepEqual(analyze("l'anniversaire d'œufs"), analyze("anniversaire oeufs"));
  });

  test("joins other apostrophes into one word", () => {
    assert.deepEqual(analyze("O'Brien"), ["obrien"]);
  });
});

describe("numbers", () => {
  test("keeps numbers as terms and ignores leading zeros", () => {
    assert.deepEqual(analyze("born 2019-05-02 at 09:30"), ["born", "2019", "5", "2", "9", "30"]);
  });

  test("keeps letters and digits together", () => {
    assert.deepEqual(analyze("MacBook M3, Kia EV6"), ["macbook", "m3", "kia", "ev6"]);
  });
});

describe("CJK", () => {
  test("splits Chinese into overlapping character bigrams", () => {
    assert.deepEqual(analyze("麻婆豆腐"), ["麻婆", "婆豆", "豆腐"]);
  });

  test("bigrams Japanese across kanji and kana, and breaks runs at punctuation", () => {
    assert.deepEqual(analyze("田中さん。日曜日"), ["田中", "中さ", "さん", "日曜", "曜日"]);
  });

  test("keeps a lone character as a unigram", () => {
    assert.deepEqual(analyze("猫 と 犬"), ["猫", "と", "犬"]);
  });

  test("bigrams Korean within each space-separated word", () => {
    assert.deepEqual(analyze("태권도 수업"), ["태권", "권도", "수업"]);
  });

  test("separates CJK from Latin letters in the same word", () => {
    assert.deepEqual(analyze("iPhone用のケース"), ["iphon", "用の", "のケ", "ケー", "ース"]);
  });

  test("folds half-width katakana", () => {
    assert.deepEqual(analyze("ｺｰﾋｰ"), analyze("コーヒー"));
  });

  test("lets a query match a longer CJK text", () => {
    const doc = new Set(analyze("同事王磊的生日是十月十二日，他喜欢喝乌龙茶。"));
    const shared = analyze("王磊的生日是几月几号？").filter((term) => doc.has(term));
    assert.deepEqual(shared, ["王磊", "磊的", "的生", "生日", "日是"]);
  });
});

describe("emoji and odd input", () => {
  test("ignores emoji, including sequences, modifiers and flags", () => {
    assert.deepEqual(analyze("🦄 🌈💜 👨‍👩‍👧 👍🏽 🇬🇧 ❤️"), []);
    assert.deepEqual(analyze("Maya ❤️ loves 🦄unicorns🦄"), ["maya", "love", "unicorn"]);
  });

  test("does not crash on lone surrogates or control characters", () => {
    assert.deepEqual(analyze("\ud83d tea \udc00 \u0000 coffee"), ["tea", "coffe"]);
  });

  test("caps the number of terms of a huge text", () => {
    assert.equal(analyze("garden ".repeat(10_000)).length, MAX_TERMS);
    assert.equal(analyze("田中さん".repeat(5_000)).length, MAX_TERMS);
  });

  test("cuts very long words without splitting a surrogate pair", () => {
    assert.deepEqual(analyze("x".repeat(100)), ["x".repeat(64)]);
    // U+10330 GOTHIC LETTER AHSA is a surrogate pair straddling the cut at 64.
    assert.deepEqual(analyze(`${"a".repeat(63)}\u{10330}bc`), ["a".repeat(63)]);
  });

  test("is deterministic", () => {
    const text = "Zoë's café, 日本語, 2019 — running 🏃";
    assert.deepEqual(analyze(text), analyze(text));
  });
});

describe("analyzeWithOffsets", () => {
  test("gives each term the span of the original word it came from", () => {
    assert.deepEqual(analyzeWithOffsets("Zoë's café, 2019!"), [
      { term: "zoe", start: 0, end: 5 },
      { term: "cafe", start: 6, end: 10 },
      { term: "2019", start: 12, end: 16 },
    ]);
  });

  test("gives each CJK bigram its two characters", () => {
    assert.deepEqual(analyzeWithOffsets("好 豆腐"), [
      { term: "好", start: 0, end: 1 },
      { term: "豆腐", start: 2, end: 4 },
    ]);
  });

  test("yields the same terms as analyze", () => {
    const text = "Maya's 8th birthday: 14 March 2025 at Café Olé — 田中さん too 🎂";
    assert.deepEqual(
      analyzeWithOffsets(text).map((token) => token.term),
      analyze(text),
    );
  });
});

describe("analyzeQuery", () => {
  test("weighs the query's own terms 1, once each", () => {
    assert.deepEqual(analyzeQuery("tea Tea TEA"), new Map([["tea", 1]]));
  });

  test("adds related words and agent nouns at a lower weight (those nobody wrote match nothing)", () => {
    assert.deepEqual(
      analyzeQuery("when was Maya born?"),
      new Map([
        ["maya", 1],
        ["born", 1],
        ["mayaer", EXPANSION_WEIGHT],
        ["birthdai", EXPANSION_WEIGHT],
        ["borner", EXPANSION_WEIGHT],
      ]),
    );
  });

  test("joins British and American spellings both ways", () => {
    assert.equal(analyzeQuery("favorite").get("favourit"), EXPANSION_WEIGHT);
    assert.equal(analyzeQuery("favourite").get("favorit"), EXPANSION_WEIGHT);
  });

  test("joins a verb and its agent noun both ways", () => {
    assert.equal(analyzeQuery("who teaches guitar").get("teacher"), EXPANSION_WEIGHT);
    assert.equal(analyzeQuery("the babysitter").get("babysit"), EXPANSION_WEIGHT);
    assert.equal(analyzeQuery("who babysits").get("babysitt"), EXPANSION_WEIGHT);
  });

  test("never lowers a term the query contains", () => {
    assert.equal(analyzeQuery("born birthday").get("born"), 1);
    assert.equal(analyzeQuery("born birthday").get("birthdai"), 1);
  });

  test("is empty for a query of stop words", () => {
    assert.deepEqual(analyzeQuery("what is it?"), new Map());
  });
});

describe("analysing again", () => {
  test("a text analysed again, alone or inside another, gives the same terms at the same offsets", () => {
    const text =
      "Zoë's café: running runners ran 3 runs, l'été 2019, 東京タワー and the daughters' birthdays.";
    const first = analyzeWithOffsets(text);
    assert.deepStrictEqual(analyzeWithOffsets(text), first);
    const shifted = analyzeWithOffsets(`Intro. ${text}`).slice(1);
    assert.deepStrictEqual(
      shifted,
      first.map((token) => ({ ...token, start: token.start + 7, end: token.end + 7 })),
    );
  });

  test("many distinct words are all analysed, each once per occurrence", () => {
    const words = Array.from({ length: 12_000 }, (_, index) => `walk${index.toString(36)}x`);
    const text = words.join(" ");
    const terms = analyze(`${text} ${text}`);
    assert.equal(terms.length, MAX_TERMS);
    assert.deepStrictEqual(terms.slice(0, 3), ["walk0x", "walk1x", "walk2x"]);
    // Not [a-z]+, so not stemmed: each word is its own term.
    assert.deepStrictEqual(analyze(words.slice(5_000, 5_003).join(" ")), words.slice(5_000, 5_003));
  });
});

describe("word scanning", () => {
  // What a word is, as one regex: analysis must take exactly its matches, leftmost and longest.
  const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’ʼ][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*/gu;
  const CJK = /[\p{scx=Han}\p{scx=Hira}\p{scx=Kana}\p{scx=Hang}]/u;
  const NON_WORD = /[^\p{L}\p{N}\p{M}'’ʼ]/u;
  /** Letters, marks (leading, doubled, astral), apostrophes of three kinds, CJK, emoji, compatibility forms. */
  const PIECES = [
    ..."aBzé1 -.,'’ʼ日本한😀ﬁ½ıİß",
    "e\u0301",
    "\u0301",
    "\u0903",
    "\u{1D165}",
    "\u{1D49C}",
    "\u{20000}",
    "\u3099",
    "\u0323",
  ];
  const texts = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((pieces) => pieces.join(""));

  test("finds the words the regex finds: analysing a text is analysing each of its words (fixed seed)", () => {
    fc.assert(
      fc.property(texts, (text) => {
        const byWord = [...text.matchAll(WORD)].flatMap((match) =>
          analyzeWithOffsets(match[0]).map((token) => ({
            term: token.term,
            start: token.start + match.index,
            end: token.end + match.index,
          })),
        );
        assert.deepEqual(analyzeWithOffsets(text), byWord);
      }),
      { seed: 20261122, numRuns: 3_000 },
    );
  });

  test("takes each word the regex finds as one word (fixed seed)", () => {
    fc.assert(
      fc.property(texts, (text) => {
        for (const [word] of text.matchAll(WORD)) {
          if (CJK.test(word)) continue; // split into bigrams on purpose
          for (const token of analyzeWithOffsets(word)) {
            assert.deepEqual([token.start, token.end], [0, word.length], JSON.stringify(word));
          }
        }
      }),
      { seed: 20261122, numRuns: 3_000 },
    );
  });

  /** Every code point that can be in a word, astral planes included. */
  function* wordCodePoints(): Generator<string> {
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      const char = String.fromCodePoint(codePoint);
      if (/[\p{L}\p{N}\p{M}]/u.test(char)) yield char;
    }
  }

  test("sends every CJK character, of any plane, to the CJK bigrams", () => {
    const missed: string[] = [];
    for (const char of wordCodePoints()) {
      if (!CJK.test(char)) continue;
      // Inside a word, CJK is split from the Latin letter before it, into a term of its own.
      if (!analyzeWithOffsets(`q${char}`).some((token) => token.start === 1)) {
        missed.push((char.codePointAt(0) ?? 0).toString(16));
      }
    }
    assert.deepEqual(missed, []);
  });

  test("never leaves a character that is not a letter, digit, mark or apostrophe in a term", () => {
    const bad: string[] = [];
    for (const char of wordCodePoints()) {
      // CJK bigrams are cut after NFKC as they are: "㈠" gives "(一" and "一)", at write and query alike.
      if (CJK.test(char)) continue;
      for (const word of [char, `a${char}`]) {
        if (analyze(word).some((term) => NON_WORD.test(term))) bad.push(JSON.stringify(word));
      }
    }
    assert.deepEqual(bad, []);
  });
});
