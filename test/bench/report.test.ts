// Pins down the paired comparison in the benchmark report (bench/report.ts, printed by
// bench/report-markdown.ts): ours against the INIT-optimised floor session by session, round for round, so
// that drift between rounds cancels out.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ColdResult } from "../../bench/cold.ts";
import { type BenchResults, pairedWithFloor } from "../../bench/report.ts";
import { renderMarkdown } from "../../bench/report-markdown.ts";
import { REQUEST_LABELS } from "../../bench/session.ts";

function session(subject: string, initMs: number, invokeMs: number): ColdResult {
  const requests = Object.fromEntries(
    REQUEST_LABELS.map((label, index) => [label, { cpuMs: index === 0 ? invokeMs : 0, wallMs: 0 }]),
  ) as ColdResult["requests"]; // one entry per label
  return {
    subject,
    node: "v20",
    init: { cpuMs: initMs, wallMs: 0 },
    requests,
    maxRssMiB: 60,
    maxRssAfterInitMiB: 60,
  };
}

/** Results of a run of ours and the INIT-optimised floor, from [INIT ms, invoke ms] per session. */
function results(ours: [number, number][], floor: [number, number][]): BenchResults {
  const size = { rawBytes: 0, gzipBytes: 0, awsSdkBytes: 0, withoutAwsSdkBytes: 0 };
  return {
    date: "2026-11-22T00:00:00.000Z",
    command: "test",
    notes: [],
    machine: { cpu: "test", cores: 2, memoryGiB: 1, os: "test" },
    loadAverage: { start: 0, end: 0 },
    node: "v20",
    nodeFlags: [],
    tls: true,
    memoryMb: 128,
    sessionsPerSubject: ours.length,
    subjects: [
      {
        id: "floor-init",
        title: "floor",
        description: "",
        size,
        sessions: floor.map(([i, v]) => session("floor-init", i, v)),
      },
      {
        id: "ours",
        title: "ours",
        description: "",
        size,
        sessions: ours.map(([i, v]) => session("ours", i, v)),
      },
    ],
  };
}

test("each round's sessions are compared with each other, so a slow round does not skew the result", () => {
  // Round 2 was slow for both: the medians' difference (150 - 100 = 50) overstates the gap of 10 in each round.
  const paired = pairedWithFloor(
    results(
      [
        [110, 0],
        [310, 0],
        [150, 0],
      ],
      [
        [100, 0],
        [300, 0],
        [140, 0],
      ],
    ),
  );
  assert.deepStrictEqual(
    { init: paired?.initDifference.median, ratio: paired?.modelledRatio.median.toFixed(4) },
    { init: 10, ratio: (150 / 140).toFixed(4) },
  );
});

test("the modelled ratio counts invoke CPU x 1769/128, and the report prints both figures", () => {
  const bench = results([[100, 1]], [[100, 0.5]]);
  const ratio = (100 + (1 * 1769) / 128) / (100 + (0.5 * 1769) / 128);
  assert.equal(pairedWithFloor(bench)?.modelledRatio.median, ratio);
  assert.match(
    renderMarkdown(bench),
    new RegExp(`INIT \\*\\*\\+0\\.0 ms\\*\\*.*\\*\\*${ratio.toFixed(2)}x\\*\\*`),
  );
});

test("no pairing without the floor or with uneven session counts", () => {
  const uneven = results(
    [[1, 0]],
    [
      [1, 0],
      [2, 0],
    ],
  );
  assert.equal(pairedWithFloor(uneven), undefined);
});
