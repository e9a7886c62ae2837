// Pins down that text is cut only between user-perceived characters: the hand-written grapheme rules of
// src/memory/graphemes.ts agree with ICU (Intl.Segmenter, used here as the reference only) at every position of
// strings full of the hard cases, and the helpers built on them move to the right side.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  graphemeBoundaryAtOrAfter,
  graphemeBoundaryAtOrBefore,
  isGraphemeBoundary,
} from "../../src/memory/graphemes.ts";

const CASES: Record<string, string> = {
  ascii: "Plain text, with punctuation!",
  "combining marks": "e\u0301te\u0301 a\u0308\u0304 Zoe\u0308 n\u0303",
  "emoji ZWJ sequences": "👩‍👩‍👧‍👦 family, 👨🏽‍💻 coder, 🏳️‍🌈 flag, ❤️‍🔥",
  "skin tones and variation selectors": "👍🏿 ✌🏻 ☺️ ☺︎ 1️⃣ #️⃣",
  "flags (regional indicators)": "🇫🇷🇩🇪🇯🇵 🇺🇸🇬 x🇬🇧",
  "subdivision flag (tags)": "🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scotland",
  "CRLF and controls": "line\r\nnext\rthird\n\tfourth\u0007",
  "format characters": "soft\u00ADhyphen, zero\u200Bwidth, word\u2060joiner, \uFEFFbom",
  "Hangul syllables and jamo": "한국어 \u1100\u1161\u11A8 \u1100\u1161 \uAC00\u11A8",
  "Devanagari and Thai": "नमस्ते क्षत्रिय กำลัง ภาษาไทย",
  CJK: "娘の誕生日は3月14日です。漢字かなカナ",
  "half-width katakana": "ｶﾞｷﾞ",
};

describe("isGraphemeBoundary", () => {
  const icu = new Intl.Segmenter("und", { granularity: "grapheme" });
  for (const [name, text] of Object.entries(CASES)) {
    test(`agrees with ICU at every position: ${name}`, () => {
      const reference = new Set([...icu.segment(text)].map((segment) => segment.index));
      reference.add(text.length);
      const ours = Array.from({ length: text.length + 1 }, (_, i) => i).filter((i) =>
        isGraphemeBoundary(text, i),
      );
      assert.deepEqual(
        ours,
        [...reference].sort((a, b) => a - b),
      );
    });
  }
});

describe("graphemeBoundaryAtOrBefore / AtOrAfter", () => {
  const family = "ab👩‍👩‍👧cd";
  test("a position inside a cluster moves to its start, or past its end", () => {
    for (let i = 3; i < 2 + "👩‍👩‍👧".length; i++) {
      assert.equal(graphemeBoundaryAtOrBefore(family, i), 2, `before ${i}`);
      assert.equal(graphemeBoundaryAtOrAfter(family, i), 2 + "👩‍👩‍👧".length, `after ${i}`);
    }
  });
  test("boundaries and the ends stay where they are; positions outside the text are clamped", () => {
    assert.equal(graphemeBoundaryAtOrBefore(family, 2), 2);
    assert.equal(graphemeBoundaryAtOrAfter(family, 0), 0);
    assert.equal(graphemeBoundaryAtOrAfter(family, family.length), family.length);
    assert.equal(graphemeBoundaryAtOrBefore(family, 99), family.length);
    assert.equal(graphemeBoundaryAtOrAfter(family, -3), 0);
  });
});
