// "Download all": every memory as JSONL (src/memory/jsonl.ts), newest first, in one answer. A Function URL
// answers at most 6 MB (its JSON envelope included), so a larger store is refused with a page naming the
// export command, never cut short: a partial file would look like a whole backup.
import { toJsonLine } from "../memory/jsonl.ts";
import type { MemoryStore } from "../memory/memory-store.ts";
import type { HttpResponse } from "../protocol/http.ts";
import { PAGE_HEADERS } from "./layout.ts";
import { messagePage } from "./views.ts";

/** Lambda's 6 MB response limit, less room for the headers and the JSON envelope of the answer. */
export const MAX_DOWNLOAD_BYTES = 6 * 1024 * 1024 - 64 * 1024;

export async function downloadAll(
  store: MemoryStore,
  nowMs: number,
  maxBytes: number = MAX_DOWNLOAD_BYTES,
  csrf?: string,
): Promise<HttpResponse> {
  const memories = await store.all();
  const body = memories.map((memory) => `${toJsonLine(memory)}\n`).join("");
  // The answer travels as a JSON string: quotes and backslashes are escaped once more on the way.
  const size = Buffer.byteLength(JSON.stringify(body));
  if (size > maxBytes) {
    return messagePage(
      413,
      "Too large to download here",
      `Your ${memories.length} memories take ${(size / 1e6).toFixed(1)} MB as JSONL, more than this page can send at once (${(maxBytes / 1e6).toFixed(1)} MB). Export them with the command line instead (npm run memories; see docs/memory-page.md).`,
      { csrf },
    );
  }
  const date = new Date(nowMs).toISOString().slice(0, 10);
  return {
    status: 200,
    headers: {
      ...PAGE_HEADERS,
      "content-type": "application/jsonl; charset=utf-8",
      "content-disposition": `attachment; filename="memories-${date}.jsonl"`,
    },
    body,
  };
}
