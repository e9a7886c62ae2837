// Where text may be cut without splitting a user-perceived character (an extended grapheme cluster, UAX #29),
// as Intl.Segmenter finds it. Made once, on the first cut: building ICU's segmenter takes about 14 ms of CPU
// and 2.5 MiB, which only a preview or a snippet of a long memory needs (docs/benchmarks/README.md).

let segmenter: Intl.Segmenter | undefined;

/** The grapheme that holds code unit `index` of `text`, which must be inside it. */
function graphemeAt(text: string, index: number): Intl.SegmentData | undefined {
  segmenter ??= new Intl.Segmenter("und", { granularity: "grapheme" });
  return segmenter.segment(text).containing(index);
}

/** The nearest boundary at or before `index` (0 and text.length are boundaries; outside them, clamped). */
export function graphemeBoundaryAtOrBefore(text: string, index: number): number {
  const i = Math.min(Math.max(index, 0), text.length);
  if (i === 0 || i === text.length) return i;
  return graphemeAt(text, i)?.index ?? i;
}

/** The nearest boundary at or after `index`. */
export function graphemeBoundaryAtOrAfter(text: string, index: number): number {
  const i = Math.min(Math.max(index, 0), text.length);
  if (i === 0 || i === text.length) return i;
  const grapheme = graphemeAt(text, i);
  if (grapheme === undefined || grapheme.index === i) return i;
  return grapheme.index + grapheme.segment.length;
}

/** The second half of a UTF-16 surrogate pair: no cut may fall just before it. */
export function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
