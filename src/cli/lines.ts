// Splits a byte stream into numbered lines of UTF-8 text. A line that is not valid UTF-8, or too long to
// be one record, comes out as an error for that line alone; the bytes consumed drive the progress bar.

/** Longer than any valid record (10,000 characters of content is at most 40 KB as UTF-8, 60 KB escaped). */
export const MAX_LINE_BYTES = 1024 * 1024;

export type Line = {
  /** 1-based. */
  number: number;
  /** Bytes of the input consumed up to the end of this line. */
  bytesRead: number;
} & ({ text: string } | { error: string });

const NEWLINE = 0x0a;

export async function* readLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Line> {
  // fatal: a broken byte sequence is reported, not silently turned into U+FFFD and stored.
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let overlong = false;
  let number = 0;
  let bytesRead = 0;

  const finishLine = (): Line => {
    number += 1;
    const bytes = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    if (overlong) {
      overlong = false;
      return { number, bytesRead, error: `longer than ${MAX_LINE_BYTES / 1024 / 1024} MB: not one record` };
    }
    try {
      // A BOM is dropped at the start of a file only, as editors write it.
      const text = decoder.decode(number === 1 ? stripBom(bytes) : bytes);
      return { number, bytesRead, text: text.endsWith("\r") ? text.slice(0, -1) : text };
    } catch {
      return { number, bytesRead, error: "not valid UTF-8 text" };
    }
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, end === -1 ? chunk.length : end);
      bytesRead += piece.length + (end === -1 ? 0 : 1);
      if (!overlong) {
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes > MAX_LINE_BYTES) {
          // Keep nothing of it: a line without end must not be buffered whole.
          overlong = true;
          pending = [];
          pendingBytes = 0;
        }
      }
      if (end === -1) break;
      yield finishLine();
      start = end + 1;
    }
  }
  if (pendingBytes > 0 || overlong) yield finishLine();
}

function stripBom(bytes: Uint8Array): Uint8Array {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}
