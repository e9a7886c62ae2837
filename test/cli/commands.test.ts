// Pins down what a person sees from `npm run memories` on a local data directory: refused lines reported
// by number and reason while good ones are imported (exit 3), text imports, the Markdown export, the
// progress bar on a terminal, wipe's confirmation, and clear messages and exit codes for bad usage, an
// unreadable file, a missing data directory and an interrupted export (which leaves no file behind).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { writeMarkdown } from "../../src/cli/markdown.ts";
import { toJsonLine } from "../../src/memory/jsonl.ts";
import type { Memory } from "../../src/memory/memory-store.ts";
import { cli, tempDir } from "./support.ts";

function memory(index: number, content: string, tags: string[], updatedAt?: string): Memory {
  const createdAt = new Date(Date.UTC(2026, 0, index, 9)).toISOString();
  return {
    id: `01JF00000000000000000000${String(index).padStart(2, "0")}`,
    content,
    tags,
    createdAt,
    updatedAt: updatedAt ?? createdAt,
    version: updatedAt === undefined ? 1 : 2,
  };
}

describe("import", () => {
  test("good lines are imported, bad ones reported with number and reason and skipped (exit 3)", async () => {
    const dir = tempDir();
    const file = join(dir, "backup.jsonl");
    const good = [memory(1, "Likes tea", ["food"]), memory(2, "Has a cat named Miso 🐈", [])];
    writeFileSync(
      file,
      [
        toJsonLine(good[0] as Memory),
        '{"id":"01JF0000000000000000000009","content":"x"}',
        "",
        "not json at all",
        toJsonLine(good[1] as Memory),
        toJsonLine({ ...(good[1] as Memory), id: "01JF0000000000000000000077", content: "x".repeat(10_001) }),
      ].join("\n"),
    );
    const dataDir = join(dir, "data");
    const run = await cli(["import", file, "--from", "jsonl", "--data-dir", dataDir]);
    assert.deepEqual(run, {
      code: 3,
      stdout: "",
      stderr:
        'line 2: missing required property "tags"\n' +
        "line 4: not JSON\n" +
        'line 6: "content": must NOT have more than 10000 characters\n' +
        `Into the data directory ${dataDir} from ${file} (jsonl): imported 2 memories, 0 were there already, 3 lines refused.\n`,
    });
    const exported = await cli(["export", "--data-dir", dataDir]);
    assert.equal(exported.stdout, `${toJsonLine(good[1] as Memory)}\n${toJsonLine(good[0] as Memory)}\n`);
  });

  test("a text file: one memory per line or bullet, each stored once however often imported", async () => {
    const dir = tempDir();
    const file = join(dir, "notes.md");
    writeFileSync(file, "# About me\n\n- I live in Lisbon\n- Allergic to peanuts\nPrefers window seats\n");
    const dataDir = join(dir, "data");
    const first = await cli(["import", file, "--data-dir", dataDir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /as text \(judged from its first line/);
    assert.match(first.stderr, /\(text\): imported 3 memories, 0 were there already, 0 lines refused\.\n$/);
    const second = await cli(["import", file, "--from", "text", "--data-dir", dataDir]);
    assert.match(second.stderr, /imported 0 memories, 3 were there already/);
    const exported = await cli(["export", "--data-dir", dataDir]);
    assert.deepEqual(
      exported.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).content),
      ["Prefers window seats", "Allergic to peanuts", "I live in Lisbon"],
    );
  });

  test("a file that cannot be read is said so before the database is touched (exit 1)", async () => {
    const dir = tempDir();
    const dataDir = join(dir, "data");
    const missing = join(dir, "missing.jsonl");
    assert.deepEqual(await cli(["import", missing, "--data-dir", dataDir]), {
      code: 1,
      stdout: "",
      stderr: `Cannot read ${missing}: no such file or directory\n`,
    });
    assert.deepEqual(await cli(["import", dir, "--data-dir", dataDir]), {
      code: 1,
      stdout: "",
      stderr: `Cannot read ${dir}: it is a directory\n`,
    });
    assert.equal(existsSync(dataDir), false);
  });

  test("on a terminal, a progress bar is drawn in place and refused lines print above it", async () => {
    const dir = tempDir();
    const file = join(dir, "notes.txt");
    // 11 + 3 + 10 bytes: the bar stands at 11/24 after the first line.
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from("first fact\n"),
        Buffer.from([0xff, 0xfe, 0x0a]),
        Buffer.from("last fact\n"),
      ]),
    );
    const dataDir = join(dir, "data");
    const run = await cli(["import", file, "--from", "text", "--data-dir", dataDir], { tty: true });
    const half = "Importing [###########-------------] 45% 1 imported, 0 there already";
    assert.equal(run.code, 3);
    assert.deepEqual(run.stderr.split("\r\u001b[K"), [
      "",
      half,
      `line 2: not valid UTF-8 text\n${half}`,
      "Importing [########################] 100% 2 imported, 0 there already, 1 line refused",
      `Into the data directory ${dataDir} from ${file} (text): imported 2 memories, 0 were there already, 1 line refused.\n`,
    ]);
  });
});

describe("export", () => {
  test("Markdown: by tag in alphabetical order, newest first, untagged last, the same when spilled to disk", async () => {
    const memories = [
      memory(5, "Started learning Portuguese\nwith a tutor on Tuesdays", ["learning", "lisbon"]),
      memory(4, "Mother's birthday is 2 May", ["family"], "2026-02-01T00:00:00.000Z"),
      memory(3, "Keeps a *sourdough* starter", []),
      memory(2, "Moved to Lisbon in 2024", ["lisbon"]),
    ];
    const render = async (spillBytes?: number): Promise<string> => {
      let text = "";
      const source = async function* (): AsyncGenerator<Memory> {
        yield* memories;
      };
      await writeMarkdown(source(), {
        exportedAt: new Date("2026-12-01T10:00:00.000Z"),
        write: async (chunk) => {
          text += chunk;
        },
        ...(spillBytes === undefined ? {} : { spillBytes }),
      });
      return text;
    };
    const expected = [
      "# Memories",
      "",
      "4 memories in 4 sections, exported 2026-12-01 10:00 UTC. Grouped by tag, newest first; a memory with several tags appears under each of them.",
      "",
      "## family (1)",
      "",
      "- 2026-01-04 · Mother's birthday is 2 May",
      "  (tags: family · updated 2026-02-01 · id 01JF0000000000000000000004)",
      "",
      "## learning (1)",
      "",
      "- 2026-01-05 · Started learning Portuguese",
      "  with a tutor on Tuesdays",
      "  (tags: learning, lisbon · id 01JF0000000000000000000005)",
      "",
      "## lisbon (2)",
      "",
      "- 2026-01-05 · Started learning Portuguese",
      "  with a tutor on Tuesdays",
      "  (tags: learning, lisbon · id 01JF0000000000000000000005)",
      "- 2026-01-02 · Moved to Lisbon in 2024",
      "  (tags: lisbon · id 01JF0000000000000000000002)",
      "",
      "## No tag (1)",
      "",
      "- 2026-01-03 · Keeps a *sourdough* starter",
      "  (no tags · id 01JF0000000000000000000003)",
      "",
    ].join("\n");
    assert.equal(await render(), expected);
    assert.equal(await render(1), expected);
  });

  test("an interrupted export leaves no file behind, and says so (exit 130)", async () => {
    const dir = tempDir();
    const dataDir = join(dir, "data");
    writeFileSync(join(dir, "one.txt"), "a fact\n");
    assert.equal((await cli(["import", join(dir, "one.txt"), "--data-dir", dataDir])).code, 0);
    const interrupted = new AbortController();
    interrupted.abort();
    const out = join(dir, "backup.jsonl");
    const run = await cli(["export", "--data-dir", dataDir, "--out", out], { signal: interrupted.signal });
    assert.deepEqual(run, {
      code: 130,
      stdout: "",
      stderr: `Interrupted (Ctrl-C).\nNothing was written to ${out}: an export file appears only once complete.\n`,
    });
    assert.deepEqual(readdirSync(dir).sort(), ["data", "one.txt"]);
  });

  test("a missing data directory or an unwritable --out is an error, not an empty export", async () => {
    const dir = tempDir();
    assert.deepEqual(await cli(["export", "--data-dir", join(dir, "nothing")]), {
      code: 1,
      stdout: "",
      stderr: `No memories in ${join(dir, "nothing")}: it is not a data directory of \`npm start\` (set --data-dir or DATA_DIR).\n`,
    });
    mkdirSync(join(dir, "data"));
    const out = join(dir, "no", "such", "dir.jsonl");
    assert.deepEqual(await cli(["export", "--data-dir", join(dir, "data"), "--out", out]), {
      code: 1,
      stdout: "",
      stderr: `Cannot write ${out}: no such file or directory\n`,
    });
    assert.deepEqual(await cli(["export", "--data-dir", join(dir, "data"), "--out", dir]), {
      code: 1,
      stdout: "",
      stderr: `Cannot write ${dir}: it is a directory\n`,
    });
  });
});

describe("count, wipe and usage", () => {
  test("wipe without --yes only says what it would delete (exit 2)", async () => {
    const dir = tempDir();
    const dataDir = join(dir, "data");
    writeFileSync(join(dir, "two.txt"), "one fact\nanother fact\n");
    await cli(["import", join(dir, "two.txt"), "--data-dir", dataDir]);
    assert.deepEqual(await cli(["wipe", "--data-dir", dataDir]), {
      code: 2,
      stdout: "",
      stderr: `The data directory ${dataDir} holds 2 memories. wipe deletes every one of them: run it again with --yes to go ahead.\n`,
    });
    assert.deepEqual(await cli(["count"], { env: { DATA_DIR: dataDir } }), {
      code: 0,
      stdout: "2\n",
      stderr: "",
    });
  });

  test("bad usage is exit 2 with what is wrong", async () => {
    const hint = "\nRun `npm run memories -- --help` for the commands.\n";
    const cases: [string[], string][] = [
      [["frobnicate"], 'unknown command "frobnicate"'],
      [["export", "--from", "text"], "--from does not go with export"],
      [["export", "--format", "csv"], '--format must be one of jsonl, markdown, not "csv"'],
      [["import"], "import takes one FILE"],
      [["import", "a", "--from", "xml"], '--from must be one of jsonl, memory-server, text, not "xml"'],
      [["count", "--table", "t", "--data-dir", "d"], "give either --data-dir or --table, not both"],
      [["count", "--bogus"], "Unknown option '--bogus'"],
    ];
    for (const [argv, problem] of cases) {
      const run = await cli(argv);
      assert.equal(run.code, 2, argv.join(" "));
      assert.ok(run.stderr.startsWith(problem) && run.stderr.endsWith(hint), run.stderr);
    }
    const help = await cli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: npm run memories -- <command>/);
  });
});
