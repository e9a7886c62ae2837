// `export`: every memory, newest first, as JSONL (lossless: src/memory/jsonl.ts) or Markdown (for people),
// read page by page and written as it comes, to stdout or to a file that appears only once complete.
import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { toJsonLine } from "../memory/jsonl.ts";
import type { Memory, MemoryStore } from "../memory/memory-store.ts";
import { CliError, describeFileError, Stopped } from "./errors.ts";
import { writeMarkdown } from "./markdown.ts";
import { plural } from "./plural.ts";
import type { Progress } from "./progress.ts";
import { type RetryPolicy, withRetry } from "./retry.ts";

export const EXPORT_FORMATS = ["jsonl", "markdown"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Memories per read: about 100 KB of typical memories, well under DynamoDB's 1 MB page. */
const PAGE_SIZE = 200;

export interface ExportOptions {
  store: MemoryStore;
  format: ExportFormat;
  output: Output;
  progress: Progress;
  retry: RetryPolicy;
  signal: AbortSignal;
  now(): Date;
}

/** Where the export goes: written in order, then committed (a file is renamed into place) or aborted. */
export interface Output {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  /** What an aborted export leaves behind, for the message. */
  leftOnAbort: string;
}

export async function exportMemories(options: ExportOptions): Promise<number> {
  const { store, progress, retry, signal } = options;
  let exported = 0;
  try {
    const total = await withRetry(() => store.count(), retry, signal);
    const counted = async function* (): AsyncGenerator<Memory> {
      for await (const memory of allMemories(store, retry, signal)) {
        exported += 1;
        progress.update(total === 0 ? 1 : exported / total, `${plural(exported, "memory", "memories")}`);
        yield memory;
      }
    };
    if (options.format === "jsonl") {
      await writeJsonl(counted(), options.output);
    } else {
      await writeMarkdown(counted(), { exportedAt: options.now(), write: options.output.write });
    }
    progress.finish();
    await options.output.commit();
    return exported;
  } catch (error) {
    progress.finish();
    await options.output.abort();
    throw new Stopped(error, options.output.leftOnAbort);
  }
}

async function writeJsonl(memories: AsyncIterable<Memory>, output: Output): Promise<void> {
  let batch = "";
  for await (const memory of memories) {
    batch += `${toJsonLine(memory)}\n`;
    if (batch.length >= 256 * 1024) {
      await output.write(batch);
      batch = "";
    }
  }
  if (batch !== "") await output.write(batch);
}

/** Every memory, newest first, a page at a time; each page read is retried when DynamoDB is busy. */
async function* allMemories(
  store: MemoryStore,
  retry: RetryPolicy,
  signal: AbortSignal,
): AsyncGenerator<Memory> {
  let cursor: string | undefined;
  do {
    signal.throwIfAborted();
    const after = cursor;
    const page = await withRetry(
      () => store.list({ limit: PAGE_SIZE, ...(after === undefined ? {} : { cursor: after }) }),
      retry,
      signal,
    );
    yield* page.memories;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

/** Standard output, as it is: a pipe that closes early (| head) ends the export. */
export function stdoutOutput(stream: Writable): Output {
  return {
    write: (text) => writeChunk(stream, text),
    commit: async () => {},
    abort: async () => {},
    leftOnAbort: "What reached standard output is incomplete.",
  };
}

/**
 * A file written beside its final name and renamed over it when complete, so an interrupted export never
 * leaves a truncated backup in its place (a rename within a directory is atomic).
 */
export async function fileOutput(path: string): Promise<Output> {
  if ((await stat(path).catch(() => undefined))?.isDirectory() === true) {
    throw new CliError(`Cannot write ${path}: it is a directory`);
  }
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  const stream = createWriteStream(partial, { flags: "wx", mode: 0o600 });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", reject);
    });
  } catch (error) {
    throw new CliError(`Cannot write ${path}: ${describeFileError(error)}`);
  }
  return {
    write: (text) => writeChunk(stream, text),
    async commit(): Promise<void> {
      await closeStream(stream);
      await rename(partial, path);
    },
    async abort(): Promise<void> {
      stream.destroy();
      await rm(partial, { force: true });
    },
    leftOnAbort: `Nothing was written to ${path}: an export file appears only once complete.`,
  };
}

function writeChunk(stream: Writable, text: string): Promise<void> {
  // One write in flight at a time: waiting for each one is what keeps memory flat on a slow reader.
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once("error", reject);
    stream.end(() => resolve());
  });
}
