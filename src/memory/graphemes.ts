// Where text may be cut without splitting a user-perceived character: the rules of Unicode's extended
// grapheme clusters (UAX #29 GB3-GB13; Prepend, rare in practice, is left out). Written out rather than
// taken from Intl.Segmenter, whose first use loads ICU's break data: about 20 ms of CPU and 3.5 MiB of
// RSS measured (docs/benchmarks/README.md), for cutting a preview or a snippet now and then.
// test/graphemes.test.ts holds these rules against Intl.Segmenter.

const MARK = /\p{M}/u;
const FORMAT = /\p{Cf}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const ZWJ = 0x200d;

/** True when a cut at code-unit `index` of `text` splits no grapheme (0 and text.length always qualify). */
export function isGraphemeBoundary(text: string, index: number): boolean {
  if (index <= 0 || index >= text.length) return true;
  const after = text.codePointAt(index) ?? 0;
  if (isLowSurrogate(text.charCodeAt(index))) return false; // inside a surrogate pair
  const before = codePointBefore(text, index);
  if (before === 0x0d && after === 0x0a) return false; // GB3: CR LF
  if (isControl(before) || isControl(after)) return true; // GB4, GB5
  if (hangulJoins(before, after)) return false; // GB6-GB8
  if (isExtend(after) || after === ZWJ) return false; // GB9, GB9a
  if (joinsIndicConjunct(text, index, after)) return false; // GB9c
  if (before === ZWJ && PICTOGRAPHIC.test(String.fromCodePoint(after))) return false; // GB11 (simplified)
  if (isRegionalIndicator(before) && isRegionalIndicator(after)) {
    // GB12, GB13: flags are pairs; break only after an even number of regional indicators.
    let count = 0;
    for (let i = index; i > 0; ) {
      const cp = codePointBefore(text, i);
      if (!isRegionalIndicator(cp)) break;
      count += 1;
      i -= cp > 0xffff ? 2 : 1;
    }
    return count % 2 === 0;
  }
  return true; // GB999
}

/** The nearest boundary at or before `index`. */
export function graphemeBoundaryAtOrBefore(text: string, index: number): number {
  let i = Math.min(Math.max(index, 0), text.length);
  while (!isGraphemeBoundary(text, i)) i -= 1;
  return i;
}

/** The nearest boundary at or after `index`. */
export function graphemeBoundaryAtOrAfter(text: string, index: number): number {
  let i = Math.min(Math.max(index, 0), text.length);
  while (!isGraphemeBoundary(text, i)) i += 1;
  return i;
}

function codePointBefore(text: string, index: number): number {
  const low = text.charCodeAt(index - 1);
  if (isLowSurrogate(low) && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/** The second half of a UTF-16 surrogate pair: no cut may fall just before it. */
export function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Prepended_Concatenation_Mark: format characters that are Prepend, not Control. */
const PREPEND_FORMAT = new Set([
  0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6dd, 0x70f, 0x890, 0x891, 0x8e2, 0x110bd, 0x110cd,
]);

/** Grapheme_Cluster_Break=Control: Cc, line and paragraph separators, and format characters but ZWNJ/ZWJ. */
function isControl(cp: number): boolean {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029) return true;
  if (cp === 0x200c || cp === ZWJ || cp < 0xad || PREPEND_FORMAT.has(cp)) return false;
  if (cp >= 0xe0020 && cp <= 0xe007f) return false; // tag characters are Extend
  return FORMAT.test(String.fromCodePoint(cp));
}

/** Grapheme_Extend and SpacingMark, as far as text meets them: marks, variation selectors, skin tones, tags. */
function isExtend(cp: number): boolean {
  if (cp >= 0x1f3fb && cp <= 0x1f3ff) return true; // emoji modifiers (skin tones)
  if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) return true; // variation selectors
  if (cp >= 0xe0020 && cp <= 0xe007f) return true; // tag characters (subdivision flags)
  if (cp === 0x200c || cp === 0xff9e || cp === 0xff9f) return true; // ZWNJ, half-width sound marks
  if (cp === 0x0e33 || cp === 0x0eb3) return true; // Thai and Lao AM: SpacingMark, though letters
  return cp >= 0x300 && MARK.test(String.fromCodePoint(cp));
}

function isRegionalIndicator(cp: number): boolean {
  return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

/** The six scripts whose conjuncts GB9c keeps whole, by the first code point of their block. */
const INDIC_BLOCKS = [0x900, 0x980, 0xa80, 0xb00, 0xc00, 0xd00];
const LETTER = /\p{Lo}/u;

/** InCB=Consonant, approximately: the consonant letters of those blocks (not their independent vowels). */
function indicConsonant(cp: number): number | undefined {
  const block = INDIC_BLOCKS.find((start) => cp >= start && cp < start + 0x80);
  if (block === undefined) return undefined;
  const offset = cp - block;
  const consonantRange =
    (offset >= 0x15 && offset <= 0x3a) || (offset >= 0x58 && offset <= 0x5f) || offset >= 0x70;
  return consonantRange && LETTER.test(String.fromCodePoint(cp)) ? block : undefined;
}

/** GB9c: consonant [extend or linker]* linker [extend or linker]* x consonant, in one script (virama at +0x4D). */
function joinsIndicConjunct(text: string, index: number, after: number): boolean {
  const block = indicConsonant(after);
  if (block === undefined) return false;
  let linked = false;
  for (let i = index; i > 0; i -= 1) {
    const cp = text.charCodeAt(i - 1);
    if (cp === block + 0x4d) linked = true;
    else if (cp === ZWJ || MARK.test(String.fromCharCode(cp))) continue;
    else return linked && indicConsonant(cp) === block;
  }
  return false;
}

type Jamo = "L" | "V" | "T" | "LV" | "LVT" | undefined;

function jamo(cp: number): Jamo {
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0xa960 && cp <= 0xa97c)) return "L";
  if ((cp >= 0x1160 && cp <= 0x11a7) || (cp >= 0xd7b0 && cp <= 0xd7c6)) return "V";
  if ((cp >= 0x11a8 && cp <= 0x11ff) || (cp >= 0xd7cb && cp <= 0xd7fb)) return "T";
  if (cp >= 0xac00 && cp <= 0xd7a3) return (cp - 0xac00) % 28 === 0 ? "LV" : "LVT";
  return undefined;
}

function hangulJoins(before: number, after: number): boolean {
  const a = jamo(before);
  const b = jamo(after);
  if (a === undefined || b === undefined) return false;
  if (a === "L") return b === "L" || b === "V" || b === "LV" || b === "LVT";
  if (a === "LV" || a === "V") return b === "V" || b === "T";
  return (a === "LVT" || a === "T") && b === "T";
}
