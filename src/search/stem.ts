// The Porter stemmer (M.F. Porter, 1980, "An algorithm for suffix stripping") on lowercase a-z words, as in
// Porter's reference implementation, and the agent-noun variants built on its measures. Chosen over a plain
// S-stemmer because -ing, -ed and -ly forms must meet too: people ask "running" of a memory that says "run".
// Stored memories keep their analysed terms, so a change here only reaches them when they are rewritten.

/** The words the stemmer applies to: lowercase a-z only. */
export const LATIN_WORD_RE = /^[a-z]+$/;

function isConsonant(word: string, i: number): boolean {
  const c = word[i];
  if (c === "a" || c === "e" || c === "i" || c === "o" || c === "u") return false;
  if (c === "y") return i === 0 ? true : !isConsonant(word, i - 1);
  return true;
}

/** Porter's m: the number of vowel-consonant sequences in word[0, end). */
function measure(word: string, end: number): number {
  let m = 0;
  let i = 0;
  while (i < end && isConsonant(word, i)) i += 1;
  while (i < end) {
    while (i < end && !isConsonant(word, i)) i += 1;
    if (i >= end) break;
    while (i < end && isConsonant(word, i)) i += 1;
    m += 1;
  }
  return m;
}

function hasVowel(word: string, end: number): boolean {
  for (let i = 0; i < end; i += 1) if (!isConsonant(word, i)) return true;
  return false;
}

function endsWithDoubleConsonant(word: string, end: number): boolean {
  return end >= 2 && word[end - 1] === word[end - 2] && isConsonant(word, end - 1);
}

/** Consonant-vowel-consonant ending word[0, end), the last not w, x or y (hop, not hoop or snow). */
function endsCvc(word: string, end: number): boolean {
  if (end < 3) return false;
  const last = word[end - 1];
  return (
    isConsonant(word, end - 1) &&
    !isConsonant(word, end - 2) &&
    isConsonant(word, end - 3) &&
    last !== "w" &&
    last !== "x" &&
    last !== "y"
  );
}

type SuffixRule = readonly [suffix: string, replacement: string];

const STEP2: readonly SuffixRule[] = [
  ["ational", "ate"],
  ["tional", "tion"],
  ["enci", "ence"],
  ["anci", "ance"],
  ["izer", "ize"],
  ["bli", "ble"],
  ["alli", "al"],
  ["entli", "ent"],
  ["eli", "e"],
  ["ousli", "ous"],
  ["ization", "ize"],
  ["ation", "ate"],
  ["ator", "ate"],
  ["alism", "al"],
  ["iveness", "ive"],
  ["fulness", "ful"],
  ["ousness", "ous"],
  ["aliti", "al"],
  ["iviti", "ive"],
  ["biliti", "ble"],
  ["logi", "log"],
];

const STEP3: readonly SuffixRule[] = [
  ["icate", "ic"],
  ["ative", ""],
  ["alize", "al"],
  ["iciti", "ic"],
  ["ical", "ic"],
  ["ful", ""],
  ["ness", ""],
];

const STEP4: readonly string[] = [
  "al",
  "ance",
  "ence",
  "er",
  "ic",
  "able",
  "ible",
  "ant",
  "ement",
  "ment",
  "ent",
  "ion",
  "ou",
  "ism",
  "ate",
  "iti",
  "ous",
  "ive",
  "ize",
];

/** The first rule whose suffix ends the word decides; its condition failing stops the step (as Porter's). */
function replaceSuffix(word: string, rules: readonly SuffixRule[], minMeasure: number): string {
  for (const [suffix, replacement] of rules) {
    if (!word.endsWith(suffix)) continue;
    const stemEnd = word.length - suffix.length;
    return measure(word, stemEnd) > minMeasure ? word.slice(0, stemEnd) + replacement : word;
  }
  return word;
}

/** The Porter stem of a lowercase a-z word. */
export function stem(input: string): string {
  if (input.length <= 2) return input;
  let word = input;

  // Step 1a: plurals.
  if (word.endsWith("sses")) word = word.slice(0, -2);
  else if (word.endsWith("ies")) word = word.slice(0, -2);
  else if (word.endsWith("s") && !word.endsWith("ss")) word = word.slice(0, -1);

  // Step 1b: -eed, -ed, -ing.
  if (word.endsWith("eed")) {
    if (measure(word, word.length - 3) > 0) word = word.slice(0, -1);
  } else {
    const suffix = word.endsWith("ed") ? 2 : word.endsWith("ing") ? 3 : 0;
    if (suffix > 0 && hasVowel(word, word.length - suffix)) {
      word = word.slice(0, -suffix);
      if (word.endsWith("at") || word.endsWith("bl") || word.endsWith("iz")) {
        word += "e";
      } else if (endsWithDoubleConsonant(word, word.length)) {
        const last = word[word.length - 1];
        if (last !== "l" && last !== "s" && last !== "z") word = word.slice(0, -1);
      } else if (measure(word, word.length) === 1 && endsCvc(word, word.length)) {
        word += "e";
      }
    }
  }

  // Step 1c: a final y after a vowel-bearing stem becomes i (happy -> happi, so happiness meets it).
  if (word.endsWith("y") && hasVowel(word, word.length - 1)) word = `${word.slice(0, -1)}i`;

  word = replaceSuffix(word, STEP2, 0);
  word = replaceSuffix(word, STEP3, 0);

  // Step 4: drop a derivational suffix from a long enough stem.
  for (const suffix of STEP4) {
    if (!word.endsWith(suffix)) continue;
    const stemEnd = word.length - suffix.length;
    if (suffix === "ion") {
      const before = word[stemEnd - 1];
      if (before !== "s" && before !== "t") continue;
    }
    if (measure(word, stemEnd) > 1) word = word.slice(0, stemEnd);
    break;
  }

  // Step 5: a final e, and -ll to -l, on long stems.
  if (word.endsWith("e")) {
    const m = measure(word, word.length - 1);
    if (m > 1 || (m === 1 && !endsCvc(word, word.length - 1))) word = word.slice(0, -1);
  }
  if (word.endsWith("ll") && measure(word, word.length) > 1) word = word.slice(0, -1);

  return word;
}

/**
 * Porter strips -er only from long stems, so "teacher" (teacher) never meets "teaches" (teach), nor
 * "babysitter" (babysitt) meets "babysits" (babysit). A query term also looks for its agent noun, and an
 * agent noun for its verb; a variant nobody wrote simply matches nothing.
 */
export function agentVariants(term: string): string[] {
  if (term.length < 3 || !LATIN_WORD_RE.test(term)) return [];
  const last = term[term.length - 1] ?? "";
  if (endsWithDoubleConsonant(term, term.length) && !"lsz".includes(last)) return [term.slice(0, -1)];
  const m = measure(term, term.length);
  if (term.endsWith("er")) {
    const verb = term.slice(0, -2);
    if (measure(verb, verb.length) !== 1) return [];
    return endsWithDoubleConsonant(verb, verb.length) ? [verb.slice(0, -1)] : [verb, `${verb}e`];
  }
  if (m === 1) {
    if (last === "e") return [`${term}r`];
    return endsCvc(term, term.length) ? [`${term}${last}er`] : [`${term}er`];
  }
  return m > 1 && endsCvc(term, term.length) ? [`${term}${last}`] : [];
}
