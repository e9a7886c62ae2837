// Shared by the CLI tests: runs `npm run memories` in this process (runCli, the function its entry calls)
// with captured output, makes temporary directories, and builds memories in many scripts and sizes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after } from "node:test";
import type { RetryPolicy } from "../../src/cli/retry.ts";
import { type CliIo, runCli } from "../../src/cli/run.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A retry policy that waits no time and records each wait it was asked for. */
export function recordingRetry(waits: number[] = []): RetryPolicy {
  return {
    attempts: 8,
    baseMs: 500,
    capMs: 30_000,
    wait: async (ms) => {
      waits.push(ms);
    },
  };
}

export async function cli(argv: string[], io: Partial<CliIo> & { tty?: boolean } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const { tty, ...rest } = io;
  const code = await runCli(argv, {
    stdout: new Writable({
      write(chunk: Buffer, _encoding, done): void {
        stdout += chunk.toString("utf8");
        done();
      },
    }),
    stderr: {
      write: (text: string) => {
        stderr += text;
      },
      isTTY: tty === true,
      columns: 100,
    },
    env: {},
    signal: new AbortController().signal,
    retry: recordingRetry(),
    now: () => new Date("2026-12-01T10:00:00.000Z"),
    ...rest,
  });
  return { code, stdout, stderr };
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = "memories-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

const SAMPLES = [
  "我的女儿玛雅出生于2019年3月14日。",
  "東京の会社で働いています。週末は鎌倉へ行く。",
  "저는 김치찌개를 좋아해요",
  "Loves 🍣 and 🏔️ hiking with the family 👨‍👩‍👧, flag 🇯🇵",
  "أحب القهوة العربية في الصباح",
  "אני גר בתל אביב, ליד הים",
  "Mixed direction: the word שלום means peace, and مرحبا means hello.",
  "Quotes \"double\", 'single', back\\slash, tab\there",
  "Two lines:\nsecond line\n\nafter a blank line",
  "Ünïcödé café naïve façade",
];
const TAG_SAMPLES = ["family", "work", "家族", "عائلة", "🎵 music", "health", "travel", "food"];
/** A character outside the Basic Multilingual Plane: one code point, two UTF-16 units. */
const ASTRAL = "𝄞";

/** Content and tags of memory `index`: every script above, and every 50th one exactly 10,000 characters long. */
export function sampleMemory(index: number): { content: string; tags: string[] } {
  const base = `#${index} ${SAMPLES[index % SAMPLES.length]}`;
  const content = index % 50 === 0 ? padToCodePoints(base, 10_000) : base;
  const tags = TAG_SAMPLES.filter((_, tag) => (index >> tag) % 3 === 0).slice(0, 3);
  return { content, tags };
}

function padToCodePoints(text: string, length: number): string {
  const codePoints = [...text];
  while (codePoints.length < length) codePoints.push(codePoints.length % 7 === 0 ? ASTRAL : "x");
  return codePoints.join("");
}
