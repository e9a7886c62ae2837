// The app's one grapheme segmenter, made on first use: constructing the first Intl.Segmenter loads
// ICU's break data (7-12 ms of CPU measured), work the INIT warm-up (src/warm-up.ts) does on purpose
// rather than every module load.

let segmenter: Intl.Segmenter | undefined;

/** Splits text into user-perceived characters (emoji sequences and combining marks stay whole). */
export function graphemeSegmenter(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter("und", { granularity: "grapheme" });
  return segmenter;
}
