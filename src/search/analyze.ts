// Text analysis for memory search: turns content, tags and queries into the same normalised, stemmed terms.
// The store keeps analyze() output beside each memory, so any change to the rules here needs a re-index.
import { agentVariants, LATIN_WORD_RE, stem } from "./stem.ts";

/** Hard cap on terms per text, so one huge memory cannot bloat its stored item or the ranking pass. */
export const MAX_TERMS = 4000;

/** Longer words (hashes, base64, URLs without separators) are cut: nobody searches for their tail. */
const MAX_TERM_LENGTH = 64;

/** One analysed term and the span of the original text it came from (UTF-16 offsets, end exclusive). */
export interface Token {
  term: string;
  start: number;
  end: number;
}

// Every regex is compiled once here: analysis runs on each write and each query, and for every search hit.

/** A word: a letter or digit, then letters, digits and marks, with inner apostrophes (daughter's, don't, l'été). */
const WORD_RE = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’ʼ][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*/gu;
const ASCII_RE = /^[\x20-\x7e]*$/;
const APOSTROPHE_RE = /['’ʼ]/;
const DIGITS_RE = /^[0-9]+$/;
/** Characters that normalisation may introduce inside a word ("½" becomes "1⁄2"): split on them again. */
const NON_WORD_RE = /[^\p{L}\p{N}\p{M}'’ʼ]+/u;
const LEADING_ZEROS_RE = /^0+(?=.)/;

/**
 * Combining marks dropped after NFD so that "café" = "cafe": the Latin/Greek/Cyrillic diacritic blocks,
 * Hebrew points, Arabic vowel marks and variation selectors. Other marks are kept on purpose: Indic vowel
 * signs and the Japanese voicing marks change the word, they are not accents.
 */
const DIACRITICS_RE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: it removes lone combining marks, on purpose.
  /[\u0300-\u036f\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u064b-\u065f\u0670\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f]/g;

/** Letters NFD does not decompose but people type without the stroke or ligature. */
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  đ: "d",
  ð: "d",
  ł: "l",
  þ: "th",
  ı: "i",
  ς: "σ",
};
const LETTER_FOLD_RE = /[ßæœøđðłþıς]/g;

/** Chinese characters and Japanese kana are bigrammed together; Hangul separately. */
const CJK_TEST_RE = /[\p{scx=Han}\p{scx=Hira}\p{scx=Kana}\p{scx=Hang}]/u;
const CJK_SPLIT_RE =
  /([\p{scx=Han}\p{scx=Hira}\p{scx=Kana}]+)|(\p{scx=Hang}+)|([^\p{scx=Han}\p{scx=Hira}\p{scx=Kana}\p{scx=Hang}]+)/gu;

/** English clitics dropped from the end of a word: daughter's, I'd, we'll, they're, I've, I'm. */
const ENGLISH_CLITICS: ReadonlySet<string> = new Set(["s", "d", "ll", "re", "ve", "m"]);
/** French and Italian elided articles dropped from the start: l'anniversaire, d'œufs, qu'il, dell'arte. */
const ELISIONS: ReadonlySet<string> = new Set([
  "l",
  "d",
  "j",
  "qu",
  "n",
  "s",
  "c",
  "m",
  "t",
  "dell",
  "nell",
  "all",
  "dall",
  "sull",
]);

/**
 * English function words. Deliberately short: "may" (the month), "us", "up", "no", "off" and the like stay,
 * because in a personal memory they often carry meaning, and BM25 already discounts common words.
 * Question words are here because queries are mostly questions ("when was my daughter born?").
 */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the and or but if then than so as of to in on at by for with from into about " +
    "is am are was were be been being do does did doing done have has had having " +
    "i me my mine myself we our ours ourselves you your yours yourself he him his she her hers " +
    "it its they them their theirs this that these those there here " +
    "what which who whom whose when where why how " +
    "can could would should will shall might must " +
    "not nor very just also too s t ca wo sha " +
    // Porter turns "use" into "us"; as a verb it says nothing about what a memory is about.
    "use uses used using " +
    // Light verbs that frame questions ("what's the dog called?", "where do I go climbing?") far more often
    // than they say what a memory is about; the Glasgow IR stop list drops them too.
    "go goes going went gone get gets got getting take takes took taking taken call calls called calling " +
    "give gives gave given giving name named now " +
    "dont doesnt didnt isnt wasnt arent im ive youre thats whats"
  ).split(" "),
);

/**
 * The analysed terms of a text, in order of appearance, repeats kept (BM25 needs term frequencies).
 * Case-, accent- and width-insensitive; English stop words removed; English words Porter-stemmed;
 * numbers kept; CJK runs as character bigrams; emoji and punctuation ignored. At most MAX_TERMS terms.
 */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  scan(text, MAX_TERMS, (term) => {
    terms.push(term);
  });
  return terms;
}

/** analyze() with the span of the original text each term came from, for building snippets. */
export function analyzeWithOffsets(text: string): Token[] {
  const tokens: Token[] = [];
  scan(text, MAX_TERMS, (term, start, end) => {
    tokens.push({ term, start, end });
  });
  return tokens;
}

type Emit = (term: string, start: number, end: number) => void;

function scan(text: string, maxTerms: number, emit: Emit): void {
  let count = 0;
  // One word can yield several terms (a CJK run, a split compatibility form), so the cap is checked per term.
  const capped: Emit = (term, start, end) => {
    if (count >= maxTerms) return;
    count += 1;
    emit(term, start, end);
  };
  WORD_RE.lastIndex = 0;
  for (let match = WORD_RE.exec(text); match !== null && count < maxTerms; match = WORD_RE.exec(text)) {
    const raw = match[0];
    const start = match.index;
    if (CJK_TEST_RE.test(raw)) scanMixed(raw, start, capped);
    else emitWord(raw, start, start + raw.length, capped);
  }
  WORD_RE.lastIndex = 0;
}

/** A word containing CJK characters: split it into CJK runs (bigrammed) and the rest (plain words). */
function scanMixed(raw: string, offset: number, emit: Emit): void {
  CJK_SPLIT_RE.lastIndex = 0;
  for (let part = CJK_SPLIT_RE.exec(raw); part !== null; part = CJK_SPLIT_RE.exec(raw)) {
    const start = offset + part.index;
    // The non-CJK remainder is an ordinary word ("iPhone用" leaves "iPhone").
    if (part[3] !== undefined) emitWord(part[3], start, start + part[3].length, emit);
    else emitBigrams(part[0], start, emit);
  }
  CJK_SPLIT_RE.lastIndex = 0;
}

/**
 * CJK has no spaces between words, so overlapping character pairs stand in for words (as Lucene's CJK
 * analyser does); a lone character is kept as itself.
 */
function emitBigrams(raw: string, offset: number, emit: Emit): void {
  const normalized = Array.from(raw.normalize("NFKC").toLowerCase());
  const original = Array.from(raw);
  // Width normalisation can merge characters (half-width ｶﾞ becomes ガ); then offsets are the run's.
  const aligned = normalized.length === original.length;
  const starts: number[] = [];
  let position = offset;
  for (const char of original) {
    starts.push(position);
    position += char.length;
  }
  const runEnd = position;
  const at = (index: number): number => (aligned ? (starts[index] ?? offset) : offset);
  const endAt = (index: number): number => (aligned ? (starts[index + 1] ?? runEnd) : runEnd);
  if (normalized.length === 1) {
    emit(normalized[0] ?? "", at(0), endAt(0));
    return;
  }
  for (let i = 0; i + 1 < normalized.length; i += 1) {
    emit(`${normalized[i] ?? ""}${normalized[i + 1] ?? ""}`, at(i), endAt(i + 1));
  }
}

function emitWord(raw: string, start: number, end: number, emit: Emit): void {
  if (ASCII_RE.test(raw)) {
    emitTerm(raw.toLowerCase(), start, end, emit);
    return;
  }
  const normalized = normalizeWord(raw);
  if (normalized === "") return;
  if (NON_WORD_RE.test(normalized)) {
    for (const piece of normalized.split(NON_WORD_RE)) {
      emitTerm(piece, start, end, emit);
    }
    return;
  }
  emitTerm(normalized, start, end, emit);
}

function emitTerm(word: string, start: number, end: number, emit: Emit): void {
  if (word === "") return;
  const base = APOSTROPHE_RE.test(word) ? stripClitics(word) : word;
  if (base === "" || STOP_WORDS.has(base)) return;
  let term: string;
  if (LATIN_WORD_RE.test(base)) {
    term = stem(base);
  } else if (DIGITS_RE.test(base)) {
    // "05" in a date and "5" in prose are the same number.
    term = base.replace(LEADING_ZEROS_RE, "");
  } else {
    term = base;
  }
  emit(truncate(term), start, end);
}

/** NFKC (full-width, ligatures), lowercase, accents stripped, then NFC so the stored term is canonical. */
function normalizeWord(raw: string): string {
  return raw
    .normalize("NFKC")
    .toLowerCase()
    .normalize("NFD")
    .replace(DIACRITICS_RE, "")
    .replace(LETTER_FOLD_RE, (letter) => LETTER_FOLDS[letter] ?? letter)
    .normalize("NFC");
}

/** "daughter's" -> "daughter", "don't" -> "do", "l'été" -> "ete", "o'brien" -> "obrien". */
function stripClitics(word: string): string {
  const parts = word.split(APOSTROPHE_RE);
  if (parts.length > 1 && ELISIONS.has(parts[0] ?? "")) parts.shift();
  if (parts.length > 1) {
    const last = parts[parts.length - 1] ?? "";
    const before = parts[parts.length - 2] ?? "";
    if (last === "t" && before.endsWith("n")) {
      parts.pop();
      parts[parts.length - 1] = before.slice(0, -1);
    } else if (ENGLISH_CLITICS.has(last)) {
      parts.pop();
    }
  }
  return parts.join("");
}

function truncate(term: string): string {
  if (term.length <= MAX_TERM_LENGTH) return term;
  const code = term.charCodeAt(MAX_TERM_LENGTH - 1);
  // Never leave a lone high surrogate: DynamoDB rejects strings that are not valid UTF-8.
  const cut = code >= 0xd800 && code <= 0xdbff ? MAX_TERM_LENGTH - 1 : MAX_TERM_LENGTH;
  return term.slice(0, cut);
}

// Query expansion: measured on test/search/quality.test.ts (P@1 0.84 -> 0.87, MRR 0.89 -> 0.91 with the agent
// nouns below). Applied to queries only, so the stored terms never depend on these lists.

/** Words that find each other: a person asks with one and tells with the other. */
const EQUIVALENT_WORDS: readonly (readonly [string, string])[] = [
  ["born", "birthday"],
  ["kid", "child"],
  ["kids", "children"],
  ["doctor", "gp"],
  ["dislike", "hate"],
  // Porter leaves these apart (allerg, allergi).
  ["allergic", "allergy"],
  // British and American words for the same thing: memories and questions come in either.
  ["favourite", "favorite"],
  ["colour", "color"],
  ["mum", "mom"],
  ["holiday", "vacation"],
  ["film", "movie"],
];

/** One way only: the broad word finds the specific ones, not the reverse. */
const NARROWER_WORDS: readonly (readonly [string, readonly string[]])[] = [
  ["kid", ["daughter", "son"]],
  ["child", ["daughter", "son"]],
  ["boss", ["manager"]],
  ["doctor", ["dr"]],
];

/** Analysed term -> analysed related terms, built from the word lists above on the first query. */
let expansions: ReadonlyMap<string, readonly string[]> | undefined;

function buildExpansions(): Map<string, string[]> {
  const built = new Map<string, string[]>();
  const add = (from: string, to: string): void => {
    const [fromTerm] = analyze(from);
    const [toTerm] = analyze(to);
    if (fromTerm === undefined || toTerm === undefined || fromTerm === toTerm) return;
    const related = built.get(fromTerm) ?? [];
    if (!related.includes(toTerm)) related.push(toTerm);
    built.set(fromTerm, related);
  };
  for (const [a, b] of EQUIVALENT_WORDS) {
    add(a, b);
    add(b, a);
  }
  for (const [broad, specifics] of NARROWER_WORDS) for (const specific of specifics) add(broad, specific);
  return built;
}

/** Weight of an added term relative to a term the user actually typed. */
export const EXPANSION_WEIGHT = 0.5;

/**
 * The terms of a query with their weights: 1 for the query's own terms (each counted once), and
 * EXPANSION_WEIGHT for related words and agent nouns the query did not contain.
 */
export function analyzeQuery(query: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const term of analyze(query)) weights.set(term, 1);
  for (const term of [...weights.keys()]) {
    expansions ??= buildExpansions();
    for (const related of [...(expansions.get(term) ?? []), ...agentVariants(term)]) {
      if (!weights.has(related)) weights.set(related, EXPANSION_WEIGHT);
    }
  }
  return weights;
}
