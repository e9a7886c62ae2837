// The Markdown export, for people: one section per tag in alphabetical order, newest first within each,
// untagged memories last. Memories arrive newest first from a single pass over the store; each goes to
// its tags' sections, which are kept in temporary files once they outgrow a small buffer, so a large
// export never holds every memory at once. Then the sections are copied out in order.
import { createReadStream } from "node:fs";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Memory } from "../memory/memory-store.ts";
import { plural } from "./plural.ts";

/** Buffered text of all sections together before it goes to the temporary files. */
const SPILL_BYTES = 4 * 1024 * 1024;
const UNTAGGED = "";

interface Section {
  count: number;
  file: string;
  buffered: string[];
  /** True once part of the section is in its file. */
  spilled: boolean;
}

export interface MarkdownOptions {
  /** Written into the heading; passed in so tests get a fixed document. */
  exportedAt: Date;
  /** Writes text to the output, waiting while it is full. */
  write(text: string): Promise<void>;
  /** How much entry text is buffered before it goes to the temporary files (tests make it small). */
  spillBytes?: number;
}

export async function writeMarkdown(
  memories: AsyncIterable<Memory>,
  options: MarkdownOptions,
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "memories-export-"));
  try {
    const sections = new Map<string, Section>();
    let buffered = 0;
    let total = 0;
    for await (const memory of memories) {
      total += 1;
      const entry = formatEntry(memory);
      for (const tag of memory.tags.length === 0 ? [UNTAGGED] : memory.tags) {
        let section = sections.get(tag);
        if (section === undefined) {
          section = { count: 0, file: join(dir, `${sections.size}.md`), buffered: [], spilled: false };
          sections.set(tag, section);
        }
        section.count += 1;
        section.buffered.push(entry);
        buffered += entry.length;
      }
      if (buffered > (options.spillBytes ?? SPILL_BYTES)) {
        for (const section of sections.values()) await spill(section);
        buffered = 0;
      }
    }

    await options.write(heading(total, sections.size, options.exportedAt));
    const order = [...sections.keys()].filter((tag) => tag !== UNTAGGED).sort();
    if (sections.has(UNTAGGED)) order.push(UNTAGGED);
    for (const tag of order) {
      const section = sections.get(tag);
      if (section === undefined) continue;
      await options.write(`\n## ${tag === UNTAGGED ? "No tag" : escapeInline(tag)} (${section.count})\n\n`);
      if (section.spilled) {
        await spill(section);
        for await (const chunk of createReadStream(section.file, { encoding: "utf8" })) {
          await options.write(chunk as string); // the stream was opened with an encoding
        }
      } else {
        await options.write(section.buffered.join(""));
      }
    }
    return total;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function spill(section: Section): Promise<void> {
  if (section.buffered.length === 0) return;
  await appendFile(section.file, section.buffered.join(""));
  section.buffered = [];
  section.spilled = true;
}

function heading(total: number, sections: number, exportedAt: Date): string {
  const when = `${exportedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const summary =
    total === 0
      ? `No memories, exported ${when}.`
      : `${plural(total, "memory", "memories")} in ${plural(sections, "section", "sections")}, exported ${when}. ` +
        "Grouped by tag, newest first; a memory with several tags appears under each of them.";
  return `# Memories\n\n${summary}\n`;
}

/**
 * A list item: the date and the content as stored (Markdown in it renders as Markdown), its further lines
 * indented so they stay in the item, then its tags and id.
 */
function formatEntry(memory: Memory): string {
  const [first = "", ...rest] = memory.content.split(/\r?\n/);
  const lines = [`- ${memory.createdAt.slice(0, 10)} · ${first}`];
  for (const line of rest) lines.push(line === "" ? "" : `  ${line}`);
  const details = [
    memory.tags.length === 0 ? "no tags" : `tags: ${memory.tags.map(escapeInline).join(", ")}`,
    ...(memory.updatedAt.slice(0, 10) === memory.createdAt.slice(0, 10)
      ? []
      : [`updated ${memory.updatedAt.slice(0, 10)}`]),
    `id ${memory.id}`,
  ];
  lines.push(`  (${details.join(" · ")})`);
  return `${lines.join("\n")}\n`;
}

/** Tags may hold any character but a comma: the ones Markdown would read as markup are escaped. */
function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, (character) => `\\${character}`);
}
