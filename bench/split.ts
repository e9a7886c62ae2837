// Where each request's CPU goes in a cold session, in two parts: inside the AWS SDK (from DynamoDBClient#send
// to its answer) and everything else (the subject's own code: HTTP, JSON-RPC, validation, analysis, the log
// line). Ours and the INIT-optimised floor, each built like the Lambda from an entry that wraps its handler
// (bench/split/), in interleaved cold sessions with Lambda's 128 MB flags; prints medians per request.
// Usage: npm run bench:split -- [--sessions 15]
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { lambdaBuildOptions } from "../scripts/lambda-esbuild.mjs";
import { runChildSession } from "./cold.ts";
import { startBackend } from "./lambda-env.ts";
import { checkResponse, REQUEST_LABELS } from "./session.ts";
import { SPLIT_HEADER } from "./split/wrap.ts";
import { stats } from "./stats.ts";
import { ROOT } from "./subjects.ts";

const { values: args } = parseArgs({
  options: {
    sessions: { type: "string", default: "15" },
    work: { type: "string", default: join(ROOT, "dist", "bench", "split") },
  },
});
const sessions = Number(args.sessions);
if (!Number.isInteger(sessions) || sessions < 1) throw new Error("--sessions takes a positive whole number");
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const SUBJECTS = [
  { id: "floor-init", fullMcp: false },
  { id: "ours", fullMcp: true },
] as const;

const work = args.work;
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const bundles = new Map<string, string>();
for (const subject of SUBJECTS) {
  const outdir = join(work, subject.id);
  await build(lambdaBuildOptions({ entryPoint: join(ROOT, "bench", "split", `${subject.id}.ts`), outdir }));
  bundles.set(subject.id, join(outdir, "index.mjs"));
}

const backend = await startBackend(work);

/** Per subject and request: [total, SDK] CPU ms of each session. */
const measured = new Map<string, Map<string, [number, number][]>>();
try {
  for (let round = 0; round < sessions; round++) {
    for (const subject of round % 2 === 0 ? SUBJECTS : [...SUBJECTS].reverse()) {
      const result = await runChildSession(bundles.get(subject.id) ?? "", {
        node: process.execPath,
        backend,
        workDir: work,
        what: `${subject.id} split session`,
      });
      const bySubject = measured.get(subject.id) ?? new Map<string, [number, number][]>();
      measured.set(subject.id, bySubject);
      for (const { label, response } of result.requests) {
        checkResponse(label, response, subject.fullMcp);
        const [total, sdk] = String(response.headers?.[SPLIT_HEADER] ?? "")
          .split(" ")
          .map(Number);
        if (total === undefined || sdk === undefined || Number.isNaN(total + sdk)) {
          throw new Error(`${subject.id} ${label}: no ${SPLIT_HEADER} header`);
        }
        bySubject.set(label, [...(bySubject.get(label) ?? []), [total, sdk]]);
      }
    }
  }
} finally {
  await backend.stop();
}

const median = (values: number[]): string => stats(values).median.toFixed(2);
console.log(`CPU ms per request, medians of ${sessions} cold sessions each (Node ${process.version}):\n`);
console.log("| request | floor-init: all | in the SDK | the rest | ours: all | in the SDK | the rest |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const label of REQUEST_LABELS) {
  const cells = SUBJECTS.flatMap(({ id }) => {
    const pairs = measured.get(id)?.get(label) ?? [];
    return [
      median(pairs.map(([total]) => total)),
      median(pairs.map(([, sdk]) => sdk)),
      median(pairs.map(([total, sdk]) => total - sdk)),
    ];
  });
  console.log(`| ${label} | ${cells.join(" | ")} |`);
}
