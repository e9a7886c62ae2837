// How memories appear in tool answers: whole in get/create/update/delete, cut to a preview in lists,
// so that no answer outgrows what Claude accepts from a tool (about 25k tokens).
import { graphemeSegmenter } from "../graphemes.ts";
import type { Memory } from "../store/memory-store.ts";

/** Characters of content shown per memory in list views. */
export const PREVIEW_CHARS = 300;

export interface MemoryPreview extends Memory {
  contentTruncated: boolean;
}

export function preview(memory: Memory): MemoryPreview {
  const content = cutText(memory.content, PREVIEW_CHARS);
  return { ...memory, content, contentTruncated: content !== memory.content };
}

/** Cuts to at most `max` code points without splitting a grapheme (emoji sequences, combining marks). */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = "";
  let count = 0;
  // max code points span at most 2 * max code units; one unit more shows whether the last grapheme goes on.
  for (const { segment } of graphemeSegmenter().segment(text.slice(0, 2 * max + 1))) {
    const size = [...segment].length;
    if (count + size > max) break;
    kept += segment;
    count += size;
  }
  return kept;
}

/** Ids are Crockford base32, which is case-insensitive; stored in upper case. */
export function normaliseId(id: string): string {
  return id.toUpperCase();
}
