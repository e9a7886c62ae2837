// Ranks documents against a query with BM25 (scoreDocuments: pure, over query term weights, per-document
// term data and corpus stats), and cuts a snippet around the matches. The DynamoDB index feeds
// scoreDocuments from postings; rankMemories feeds it from whole memories (tests, tables not yet indexed).

import {
  graphemeBoundaryAtOrAfter,
  graphemeBoundaryAtOrBefore,
  isLowSurrogate,
} from "../memory/graphemes.ts";
import type { IndexedMemory, Memory } from "../memory/memory-store.ts";
import { analyzeQuery, analyzeWithOffsets } from "./analyze.ts";

export interface SearchHit {
  /** The memory as stored, without its search terms. */
  memory: Memory;
  /** BM25 score times the share of the query matched, rounded to 4 decimals; only comparable within one search. */
  score: number;
  /** Up to SNIPPET_MAX_LENGTH characters of the original content around the densest run of matches. */
  snippet: string;
  /** True when the snippet is not the whole content ("…" marks each cut end). */
  snippetTruncated: boolean;
}

/** BM25 term-frequency saturation and length normalisation, the usual defaults (Lucene, Elasticsearch). */
const K1 = 1.2;
const B = 0.75;
/**
 * Memories tend to open with what they are about ("Car: 2019 Skoda…", "My wife is Hannah…"), so a match
 * on the first analysed term counts as 3 occurrences and on the second as 2: a one-field BM25F title boost.
 * Measured on the quality fixture: P@1 0.74 -> 0.87; still 0.84 when every memory starts with "User".
 */
const LEAD_BONUS: readonly number[] = [2, 1];

/** Snippet length in UTF-16 code units, ellipses included. */
export const SNIPPET_MAX_LENGTH = 240;
const ELLIPSIS = "…";
/** How far to look for a space before giving up on a word boundary and cutting mid-word. */
const WORD_BOUNDARY_REACH = 24;
/** Most context before the first match when there is room to spare. */
const LEAD_CONTEXT = 60;

const WHITESPACE_RE = /\s/;

/** What BM25 needs of one document: its length and the (lead-weighted) frequency of each query term. */
export interface DocumentTerms {
  id: string;
  /** Number of analysed terms in the document. */
  length: number;
  /** Frequency of each query term in the document, indexed like the query's term list. */
  frequencies: readonly number[];
}

/** The collection the documents are ranked in: the whole store, or the memories carrying the required tags. */
export interface CorpusStats {
  documentCount: number;
  /** Sum of the lengths of all documents of the collection. */
  totalLength: number;
  /** How many documents of the collection hold each query term, indexed like the query's term list. */
  documentFrequency: readonly number[];
}

export interface ScoredDocument {
  id: string;
  score: number;
}

/**
 * Each term's frequency in one document's analysed terms, with the lead bonus: the terms an index stores
 * as postings, and what rankMemories counts, so both rank alike.
 */
export function termFrequencies(terms: readonly string[]): Map<string, number> {
  const frequencies = new Map<string, number>();
  for (let position = 0; position < terms.length; position += 1) {
    const term = terms[position] ?? "";
    frequencies.set(term, (frequencies.get(term) ?? 0) + 1 + (LEAD_BONUS[position] ?? 0));
  }
  return frequencies;
}

/**
 * BM25 over (query term weights, per-document term data, corpus stats): every document with at least one
 * query term, best first; equal scores put the newer memory (larger ULID) first. Pure: no text, no storage.
 */
export function scoreDocuments(
  weights: readonly number[],
  docs: readonly DocumentTerms[],
  corpus: CorpusStats,
): ScoredDocument[] {
  const { documentCount, totalLength, documentFrequency } = corpus;
  if (documentCount === 0) return [];
  const averageLength = totalLength / documentCount;
  // Lucene's IDF: always positive, so a term found in every memory still counts a little.
  const idf = weights.map(
    (weight, i) =>
      weight *
      Math.log(1 + (documentCount - (documentFrequency[i] ?? 0) + 0.5) / ((documentFrequency[i] ?? 0) + 0.5)),
  );
  // Coordination (Lucene's classic `coord`): the BM25 sum times the share of the query's weight the memory
  // matches. search_memories asks the model for the key terms plus synonyms and related words, and in such a
  // long query a short memory matching two of the words, one at its start, outscored the memory matching
  // three. Paraphrase fixture (test/search/quality.test.ts), expanded queries: P@1 0.93 -> 0.97, MRR 0.97 ->
  // 0.98; the plain questions are unchanged (P@1 0.87, MRR 0.91).
  const queryWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const scored: ScoredDocument[] = [];
  for (const doc of docs) {
    const norm = K1 * (1 - B + (B * doc.length) / averageLength);
    let score = 0;
    let matchedWeight = 0;
    for (let i = 0; i < weights.length; i += 1) {
      const tf = doc.frequencies[i] ?? 0;
      if (tf > 0) {
        score += ((idf[i] ?? 0) * tf * (K1 + 1)) / (tf + norm);
        matchedWeight += weights[i] ?? 0;
      }
    }
    if (matchedWeight > 0) scored.push({ id: doc.id, score: round(score * (matchedWeight / queryWeight)) });
  }
  return scored.sort(byScoreThenNewest);
}

/**
 * The best `limit` memories for `query`, best first; equal scores put the newer memory (larger ULID) first.
 * Only memories sharing at least one term with the query are returned, so a query made only of stop words
 * (or empty) returns an empty list. IDF is computed over `docs`, which must be the whole collection.
 */
export function rankMemories(query: string, docs: Iterable<IndexedMemory>, limit: number): SearchHit[] {
  const weights = analyzeQuery(query);
  if (weights.size === 0 || limit < 1) return [];
  const queryTerms = [...weights.keys()];
  const termIndex = new Map(queryTerms.map((term, index) => [term, index]));

  const documentFrequency = new Array<number>(queryTerms.length).fill(0);
  const candidates: DocumentTerms[] = [];
  const byId = new Map<string, IndexedMemory>();
  let documentCount = 0;
  let totalLength = 0;
  for (const doc of docs) {
    documentCount += 1;
    const terms = doc.terms;
    totalLength += terms.length;
    let frequencies: number[] | undefined;
    for (let position = 0; position < terms.length; position += 1) {
      const index = termIndex.get(terms[position] ?? "");
      if (index === undefined) continue;
      frequencies ??= new Array<number>(queryTerms.length).fill(0);
      frequencies[index] = (frequencies[index] ?? 0) + 1 + (LEAD_BONUS[position] ?? 0);
    }
    if (frequencies === undefined) continue;
    for (let i = 0; i < frequencies.length; i += 1) {
      if ((frequencies[i] ?? 0) > 0) documentFrequency[i] = (documentFrequency[i] ?? 0) + 1;
    }
    candidates.push({ id: doc.id, frequencies, length: terms.length });
    byId.set(doc.id, doc);
  }
  if (candidates.length === 0) return [];

  const ranked = scoreDocuments(
    queryTerms.map((term) => weights.get(term) ?? 0),
    candidates,
    { documentCount, totalLength, documentFrequency },
  );
  const matchTerms = new Set(queryTerms);
  return ranked.slice(0, Math.floor(limit)).map(({ id, score }) => {
    const { terms: _terms, ...memory } = byId.get(id) as IndexedMemory; // every ranked id is a candidate's
    return { memory, score, ...makeSnippet(memory.content, matchTerms) };
  });
}

/** The snippet of `content` for `query`: the passage holding the most query terms (see makeSnippet). */
export function snippetFor(query: string, content: string): Snippet {
  return makeSnippet(content, new Set(analyzeQuery(query).keys()));
}

/** Scores are shown to the model; 4 decimals is plenty, and never rounds a match down to 0. */
function round(score: number): number {
  return Math.max(Math.round(score * 10_000) / 10_000, 0.0001);
}

function byScoreThenNewest(a: ScoredDocument, b: ScoredDocument): number {
  if (a.score !== b.score) return b.score - a.score;
  // ULIDs sort by creation time as plain strings; compare code units, not locale order.
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface Snippet {
  snippet: string;
  snippetTruncated: boolean;
}

/**
 * The window of the original content holding the most distinct query terms (then the most matches),
 * widened with some context before it, cut at spaces where possible and never inside a grapheme.
 */
function makeSnippet(content: string, matchTerms: ReadonlySet<string>): Snippet {
  if (content.length <= SNIPPET_MAX_LENGTH) return { snippet: content, snippetTruncated: false };
  const budget = SNIPPET_MAX_LENGTH - 2 * ELLIPSIS.length;
  const matches = analyzeWithOffsets(content).filter((token) => matchTerms.has(token.term));

  let spanStart = 0;
  let spanEnd = 0;
  if (matches.length > 0) {
    // Two pointers over the matches: the window [left, right] must fit in the budget.
    const inWindow = new Map<string, number>();
    let best = { distinct: 0, total: 0, left: 0, right: 0 };
    let left = 0;
    for (let right = 0; right < matches.length; right += 1) {
      const entering = matches[right];
      if (entering === undefined) break;
      inWindow.set(entering.term, (inWindow.get(entering.term) ?? 0) + 1);
      while (entering.end - (matches[left]?.start ?? entering.start) > budget && left < right) {
        const leaving = matches[left];
        left += 1;
        if (leaving === undefined) continue;
        const remaining = (inWindow.get(leaving.term) ?? 1) - 1;
        if (remaining === 0) inWindow.delete(leaving.term);
        else inWindow.set(leaving.term, remaining);
      }
      const total = right - left + 1;
      if (inWindow.size > best.distinct || (inWindow.size === best.distinct && total > best.total)) {
        best = { distinct: inWindow.size, total, left, right };
      }
    }
    spanStart = matches[best.left]?.start ?? 0;
    spanEnd = Math.min(matches[best.right]?.end ?? 0, spanStart + budget);
  }

  const slack = budget - (spanEnd - spanStart);
  let start = Math.max(0, spanStart - Math.min(LEAD_CONTEXT, Math.floor(slack / 2)));
  let end = Math.min(content.length, start + budget);
  if (end === content.length) start = Math.max(0, end - budget);

  const [rawStart, rawEnd] = [start, end];
  if (start > 0) start = graphemeBoundaryAtOrAfter(content, wordStartAtOrAfter(content, start, spanStart));
  if (end < content.length)
    end = graphemeBoundaryAtOrBefore(content, wordEndAtOrBefore(content, end, spanEnd));
  if (end <= start) {
    // One grapheme longer than the whole snippet (a letter under hundreds of combining marks): cutting it
    // is the only way to show anything, but still never between the halves of a surrogate pair.
    start = isLowSurrogate(content.charCodeAt(rawStart)) ? rawStart + 1 : rawStart;
    end = isLowSurrogate(content.charCodeAt(rawEnd)) ? rawEnd - 1 : rawEnd;
  }

  const body = content.slice(start, end).trim();
  const truncated = start > 0 || end < content.length;
  return {
    snippet: (start > 0 ? ELLIPSIS : "") + body + (end < content.length ? ELLIPSIS : ""),
    snippetTruncated: truncated,
  };
}

/** The start of the first word at or after `index`, if one begins before `limit` and within reach. */
function wordStartAtOrAfter(content: string, index: number, limit: number): number {
  if (WHITESPACE_RE.test(content[index - 1] ?? " ")) return index;
  const stop = Math.min(limit, index + WORD_BOUNDARY_REACH);
  for (let i = index; i < stop; i += 1) {
    if (WHITESPACE_RE.test(content[i] ?? "")) return i + 1;
  }
  return index;
}

/** The end of the last word at or before `index`, if one ends after `limit` and within reach. */
function wordEndAtOrBefore(content: string, index: number, limit: number): number {
  if (WHITESPACE_RE.test(content[index] ?? " ")) return index;
  const stop = Math.max(limit, index - WORD_BOUNDARY_REACH);
  for (let i = index - 1; i > stop; i -= 1) {
    if (WHITESPACE_RE.test(content[i] ?? "")) return i;
  }
  return index;
}
