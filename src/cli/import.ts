// `import FILE`: reads a file line by line and stores what each good line holds through the store (so
// every write keeps the store's invariants, its duplicate guard and whatever it indexes). A refused line
// is reported with its number and reason and skipped; each memory is written whole or not at all, so an
// import that stops part way leaves only whole memories, and running it again finishes it.
import { type FileHandle, open } from "node:fs/promises";
import type { MemoryStore } from "../memory/memory-store.ts";
import { CliError, describeFileError, Stopped } from "./errors.ts";
import { detectFormat, type ImportFormat, type ImportRecord, parseLine } from "./formats.ts";
import { readLines } from "./lines.ts";
import { plural } from "./plural.ts";
import type { Progress } from "./progress.ts";
import { type RetryPolicy, withRetry } from "./retry.ts";

/** Refused lines reported one by one; past this, only counted (a file in the wrong format refuses all). */
const MAX_REPORTED_LINES = 100;

export interface ImportOptions {
  store: MemoryStore;
  /** From openInput; closed by importFile. */
  input: FileHandle;
  /** The file's name, for messages. */
  file: string;
  /** Judged from the first line when not given. */
  format: ImportFormat | undefined;
  progress: Progress;
  retry: RetryPolicy;
  signal: AbortSignal;
}

export interface ImportSummary {
  format: ImportFormat;
  /** New memories written. */
  imported: number;
  /** Memories already stored (same id, or identical content): nothing written. */
  present: number;
  /** Lines refused, each reported. */
  refused: number;
}

export async function importFile(options: ImportOptions): Promise<ImportSummary> {
  const { store, input: handle, file, progress, retry, signal } = options;
  const summary: ImportSummary = { format: options.format ?? "jsonl", imported: 0, present: 0, refused: 0 };
  let format = options.format;
  let lineNumber = 0;
  try {
    const size = (await handle.stat()).size;
    for await (const line of readLines(chunksOf(handle, file))) {
      lineNumber = line.number;
      signal.throwIfAborted();
      if ("error" in line) {
        refuse(line.number, line.error);
        continue;
      }
      if (format === undefined && line.text.trim() !== "") {
        format = detectFormat(line.text);
        summary.format = format;
        progress.log(`Reading ${file} as ${format} (judged from its first line; --from chooses).`);
      }
      const parsed = parseLine(format ?? "jsonl", line.text);
      if (!parsed.ok) {
        refuse(line.number, parsed.reason);
        continue;
      }
      for (const record of parsed.records) {
        const written = await withRetry(() => write(store, record), retry, signal);
        if (written) summary.imported += 1;
        else summary.present += 1;
      }
      progress.update(size === 0 ? 1 : line.bytesRead / size, progressDetail(summary));
    }
  } catch (error) {
    progress.finish();
    throw new Stopped(
      error,
      `Stopped at line ${lineNumber.toLocaleString("en-US")}: ${summaryLine(summary)}. Every memory is ` +
        "written whole or not at all; run the same import again to finish (what is there already is skipped).",
    );
  } finally {
    await handle.close();
  }
  progress.finish();
  return summary;

  function refuse(number: number, reason: string): void {
    summary.refused += 1;
    if (summary.refused <= MAX_REPORTED_LINES) progress.log(`line ${number}: ${reason}`);
    else if (summary.refused === MAX_REPORTED_LINES + 1) {
      progress.log(`(more refused lines are counted, not listed: is --from right for this file?)`);
    }
  }
}

/** Writes one record; true when it was written, false when it was there already. */
async function write(store: MemoryStore, record: ImportRecord): Promise<boolean> {
  if (record.kind === "restore") return (await store.restore(record.memory)).written;
  return !(await store.create(record.content, record.tags)).duplicate;
}

export function summaryLine(summary: ImportSummary): string {
  const parts = [
    `imported ${plural(summary.imported, "memory", "memories")}`,
    `${plural(summary.present, "was", "were")} there already`,
    `${plural(summary.refused, "line", "lines")} refused`,
  ];
  return parts.join(", ");
}

function progressDetail(summary: ImportSummary): string {
  const refused = summary.refused === 0 ? "" : `, ${plural(summary.refused, "line", "lines")} refused`;
  const count = (value: number): string => value.toLocaleString("en-US");
  return `${count(summary.imported)} imported, ${count(summary.present)} there already${refused}`;
}

/** The file's bytes; a read that fails part way (a disk error, a file removed on a network share) says so. */
async function* chunksOf(handle: FileHandle, file: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false, start: 0 })) {
      yield chunk as Buffer; // no encoding was given, so the stream yields Buffers
    }
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${describeFileError(error)}`);
  }
}

/** Opens the file to import, or says in a sentence why it cannot be read. */
export async function openInput(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${describeFileError(error)}`);
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new CliError(
      `Cannot read ${file}: it is ${info.isDirectory() ? "a directory" : "not a regular file"}`,
    );
  }
  return handle;
}
