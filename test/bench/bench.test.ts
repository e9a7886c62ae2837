// Pins down that the benchmark (bench/) runs end to end and writes well-formed output: a quick run of ours and
// the floor (one cold session each, a short warm run) produces results.json, results.md and chart.svg, and the
// --url mode measures round trips against a local server and deletes the memories it created. Figures depend
// on the machine, so nothing here asserts a timing.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { BenchResults } from "../../bench/report.ts";
import { REQUEST_LABELS } from "../../bench/session.ts";
import { ROOT } from "../../bench/subjects.ts";
import type { UrlResults } from "../../bench/url.ts";
import { startLocalServer } from "../../src/local/server.ts";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "memory-mcp-bench-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs bench/run.ts (or another script of bench/) as `npm run bench` would (through tsx); returns its stdout. */
function bench(args: string[], script = "run.ts"): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench", script), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`bench/${script} exited with ${code}:\n${stderr.slice(-3000)}`));
    });
  });
}

function assertMs(value: unknown, what: string): void {
  assert.equal(typeof value, "number", what);
  assert.ok(Number.isFinite(value) && (value as number) >= 0, `${what} = ${String(value)}`);
}

describe("a quick run of ours and the floor", () => {
  let results: BenchResults;
  let markdown: string;
  let chart: string;
  const out = (): string => join(dir, "out");

  before(async () => {
    await bench([
      "--build-lambda",
      "--subjects=floor,ours",
      "--sessions=1",
      "--warm-warmup=20",
      "--warm-list=200",
      "--warm-pairs=2",
      `--work=${join(dir, "work")}`,
      `--out=${out()}`,
    ]);
    results = JSON.parse(readFileSync(join(out(), "results.json"), "utf8")) as BenchResults;
    markdown = readFileSync(join(out(), "results.md"), "utf8");
    chart = readFileSync(join(out(), "chart.svg"), "utf8");
  });

  test("results.json holds one checked session per subject, with every phase measured", () => {
    assert.deepEqual(
      results.subjects.map((subject) => [subject.id, subject.sessions.length]),
      [
        ["floor", 1],
        ["ours", 1],
      ],
    );
    assert.equal(results.memoryMb, 128);
    assert.equal(results.sessionsPerSubject, 1);
    assert.match(results.node, /^\d+\.\d+\.\d+$/);
    for (const subject of results.subjects) {
      const [session] = subject.sessions;
      assert.ok(session !== undefined);
      assertMs(session.init.cpuMs, `${subject.id} INIT`);
      assert.ok(session.init.cpuMs > 0, `${subject.id} INIT took no CPU`);
      assert.deepEqual(Object.keys(session.requests), [...REQUEST_LABELS]);
      for (const label of REQUEST_LABELS) assertMs(session.requests[label].cpuMs, `${subject.id} ${label}`);
      assert.ok(
        session.maxRssMiB > 10 && session.maxRssMiB < 1024,
        `${subject.id} peak RSS ${session.maxRssMiB}`,
      );
      assert.ok(subject.size.rawBytes > subject.size.gzipBytes && subject.size.gzipBytes > 0);
      assert.equal(subject.size.rawBytes, subject.size.awsSdkBytes + subject.size.withoutAwsSdkBytes);
      assert.ok(
        subject.size.awsSdkBytes > 100_000,
        `${subject.id}: the AWS SDK was not found in the metafile`,
      );
    }
  });

  test("the warm run served every request without error and read the memory before and after", () => {
    for (const subject of results.subjects) {
      const warm = subject.warm;
      assert.ok(warm !== undefined, subject.id);
      assert.equal(warm.error, undefined);
      assert.equal(warm.toolsList.requests, 200);
      assert.ok(warm.toolsList.perSecond > 0);
      assert.equal(warm.createSearch.pairs, 2);
      for (const reading of [warm.memory.beforeList, warm.memory.afterList, warm.memory.afterPairs]) {
        assert.ok(reading.rssMiB > 10 && reading.heapUsedMiB > 0);
      }
    }
  });

  test("results.md has the targets, one table row per subject and the model's sources", () => {
    assert.match(markdown, /^# Cold-start benchmark\n/);
    assert.match(markdown, /## Targets\n/);
    assert.match(markdown, /\| floor \| [\d.]+ <sub>/);
    assert.match(markdown, /\| memory-mcp-lambda \| [\d.]+ <sub>/);
    assert.match(
      markdown,
      /https:\/\/docs\.aws\.amazon\.com\/lambda\/latest\/dg\/configuration-memory\.html/,
    );
    assert.doesNotMatch(markdown, /NaN|undefined|Infinity/);
  });

  test("chart.svg is one SVG document with a bar pair per subject and no broken numbers", () => {
    assert.match(chart, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*>\n/);
    assert.match(chart, /<\/svg>\n$/);
    assert.equal(chart.match(/<svg/g)?.length, 1);
    // A background, then INIT and invoke bars per subject, then three legend swatches.
    assert.equal(chart.match(/<rect /g)?.length, 1 + 2 * results.subjects.length + 3);
    assert.doesNotMatch(chart, /NaN|undefined|Infinity/);
  });
});

describe("--url mode", () => {
  test("measures every request of a session against a local server and deletes what it created", async () => {
    const server = await startLocalServer({
      port: 0,
      dataDir: join(dir, "local"),
      apiKey: "bench-test-key",
      logger: { request() {}, info() {}, warn() {} },
    });
    try {
      const stdout = await bench([
        `--url=${server.url}`,
        "--key=bench-test-key",
        "--iterations=3",
        `--work=${dir}`,
      ]);
      assert.match(stdout, /^# HTTP round trips: http:\/\/127\.0\.0\.1:\d+\/mcp\n/);
      const results = JSON.parse(readFileSync(join(dir, "url-results.json"), "utf8")) as UrlResults;
      assert.equal(results.iterations, 3);
      assert.deepEqual(
        results.latencies.map((latency) => latency.label),
        [...REQUEST_LABELS],
      );
      for (const latency of results.latencies) {
        for (const value of [latency.firstMs, latency.p50Ms, latency.p90Ms, latency.p99Ms, latency.maxMs]) {
          assertMs(value, latency.label);
        }
        assert.ok(latency.p50Ms <= latency.maxMs);
      }
      const listed = await fetch(server.url, {
        method: "POST",
        headers: { authorization: "Bearer bench-test-key", "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "list_memories", arguments: { tags: ["benchmark"] } },
        }),
      });
      const body = (await listed.json()) as { result: { structuredContent: { memories: unknown[] } } };
      assert.deepEqual(body.result.structuredContent.memories, []);
    } finally {
      await server.close();
    }
  });
});

describe("search scale (bench/search-scale.ts)", () => {
  test("searches and creates on tables of each size on the Lambda bundle and prints one checked row per size", async () => {
    const stdout = await bench(
      ["--build-lambda", "--memories=2,5", "--searches=2", "--creates=2", `--work=${join(dir, "scale")}`],
      "search-scale.ts",
    );
    // Each row is printed only after every search answered with `searched` at least the table's size and
    // every create stored a memory.
    const rows = stdout
      .split("\n")
      .filter((line) => line.startsWith("| index |"))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    assert.deepStrictEqual(
      rows.map((cells) => cells[2]),
      ["2", "5"],
    );
    for (const cells of rows) {
      for (const [index, what] of [
        [3, "cold search"],
        [4, "warm search"],
        [5, "cold create"],
        [6, "warm create"],
      ] as const) {
        assertMs(Number(cells[index]?.split(" ")[0]), `${what} CPU`);
      }
      // Requests and consumed units, as ReturnConsumedCapacity reported them: every call reads or writes.
      for (const index of [7, 8]) {
        const [requests, units] = (cells[index] ?? "").split(" / ").map(Number);
        assert.ok((requests ?? 0) >= 1 && (units ?? 0) > 0, cells[index]);
      }
      assert.match(cells[9] ?? "", /^\$\d+\.\d{4}$/);
    }
  });
});

describe("CPU split (bench/split.ts)", () => {
  test("splits every request of ours and the floor into AWS SDK and own CPU, after checking each answer", async () => {
    const stdout = await bench(["--sessions=1", `--work=${join(dir, "split")}`], "split.ts");
    const rows = stdout
      .split("\n")
      .filter((line) => line.startsWith("| ") && !line.startsWith("| request") && !line.startsWith("| ---"))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    assert.deepStrictEqual(
      rows.map((cells) => cells[1]),
      [...REQUEST_LABELS],
    );
    for (const cells of rows) {
      for (const value of cells.slice(2, 8))
        assert.ok(Number.isFinite(Number(value)), `${cells[1]}: ${value}`);
      // Only tool calls reach DynamoDB.
      if (cells[1] !== "create" && cells[1] !== "search")
        assert.deepStrictEqual([cells[3], cells[6]], ["0.00", "0.00"]);
    }
  });
});
