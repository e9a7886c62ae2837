// How memories appear in tool answers: whole in get/create/update/delete, cut to a preview in lists,
// so that no answer outgrows what Claude accepts from a tool (about 25k tokens).
import { graphemeBoundaryAtOrBefore } from "../memory/graphemes.ts";
import type { Memory } from "../memory/memory-store.ts";

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
  let end = 0;
  for (let count = 0; count < max && end < text.length; count += 1) {
    end += (text.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
  }
  return text.slice(0, graphemeBoundaryAtOrBefore(text, end));
}

/** Ids are Crockford base32, which is case-insensitive; stored in upper case. */
export function normaliseId(id: string): string {
  return id.toUpperCase();
}
