// Pins down that text is cut only between user-perceived characters: for strings full of the hard cases
// (combining marks, emoji sequences, flags, CR LF, Hangul, Indic conjuncts), every position moves to the
// start of the character it falls in, or past its end, and the ends and out-of-range positions are clamped.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { graphemeBoundaryAtOrAfter, graphemeBoundaryAtOrBefore } from "../../src/memory/graphemes.ts";

/** Each case as the user-perceived characters it is made of. */
const CASES: Record<string, string[]> = {
  ascii: [..."Plain text!"],
  "combining marks": ["e\u0301", "t", "e\u0301", " ", "a\u0308\u0304", " ", "Z", "o", "e\u0308"],
  "emoji ZWJ sequences": ["👩‍👩‍👧‍👦", " ", "👨🏽‍💻", " ", "🏳️‍🌈", " ", "❤️‍🔥"],
  "skin tones, variation selectors and keycaps": ["👍🏿", " ", "☺️", "☺︎", " ", "1️⃣", "#️⃣"],
  "flags (regional indicators)": ["🇫🇷", "🇩🇪", "🇯🇵", " ", "🇺🇸", "🇬", " ", "x", "🇬🇧"],
  "subdivision flag (tags)": ["🏴󠁧󠁢󠁳󠁣󠁴󠁿", " ", "S"],
  "CR LF and controls": ["a", "\r\n", "b", "\r", "c", "\n", "\t", "d", "\u0007"],
  "Hangul syllables and jamo": ["한", "국", " ", "\u1100\u1161\u11A8", " ", "\uAC00\u11A8"],
  "Devanagari conjuncts": ["न", "म", "स्ते", " ", "क्ष", "त्रि", "य"],
  "half-width katakana with sound marks": ["ｶﾞ", "ｷﾞ"],
  "surrogate pairs": ["🦕", "a", "𝒜", "🦕"],
};

describe("graphemeBoundaryAtOrBefore / AtOrAfter", () => {
  for (const [name, graphemes] of Object.entries(CASES)) {
    test(`cuts only between user-perceived characters: ${name}`, () => {
      const text = graphemes.join("");
      const boundaries = [0];
      for (const grapheme of graphemes) boundaries.push((boundaries.at(-1) ?? 0) + grapheme.length);
      const positions = Array.from({ length: text.length + 1 }, (_, i) => i);
      assert.deepEqual(
        positions.map((i) => graphemeBoundaryAtOrBefore(text, i)),
        positions.map((i) => Math.max(...boundaries.filter((boundary) => boundary <= i))),
      );
      assert.deepEqual(
        positions.map((i) => graphemeBoundaryAtOrAfter(text, i)),
        positions.map((i) => Math.min(...boundaries.filter((boundary) => boundary >= i))),
      );
    });
  }

  test("positions outside the text are clamped to its ends", () => {
    const family = "ab👩‍👩‍👧cd";
    assert.equal(graphemeBoundaryAtOrBefore(family, 99), family.length);
    assert.equal(graphemeBoundaryAtOrAfter(family, -3), 0);
    assert.equal(graphemeBoundaryAtOrBefore("", 0), 0);
    assert.equal(graphemeBoundaryAtOrAfter("", 5), 0);
  });
});
