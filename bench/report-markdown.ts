// Turns the raw results into docs/benchmarks/results.md: the targets, the paired comparison with the floor,
// the cold-session, bundle and warm tables, the model and the method. Hand-written Markdown.
import { invokeSlowdown, ONE_VCPU_MB } from "./model.ts";
import { type BenchResults, judgeTargets, kb, pairedWithFloor, summarise, type Target } from "./report.ts";
import { REQUEST_LABELS } from "./session.ts";
import type { Stats } from "./stats.ts";
import type { WarmResult } from "./warm.ts";

function cell(value: Stats, digits = 1): string {
  return `${value.median.toFixed(digits)} <sub>${value.min.toFixed(digits)}–${value.max.toFixed(digits)}</sub>`;
}

function yesNo(target: Target): string {
  if (target.met !== undefined) return target.met ? "**yes**" : "**no**";
  return target.limit === "n/a" && target.actual !== "n/a" ? "reported" : "not run";
}

function plusMs(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)} ms`;
}

function pairedLines(results: BenchResults): string[] {
  const paired = pairedWithFloor(results);
  if (paired === undefined) return [];
  const { initDifference: init, modelledRatio: ratio } = paired;
  return [
    `The same two comparisons session by session (ours against the INIT-optimised floor of the same round, in which every subject runs once, back to back, so the machine's drift between rounds cancels out): INIT **${plusMs(init.median)}** (quartiles ${plusMs(init.p25)} to ${plusMs(init.p75)}), modelled cold session **${ratio.median.toFixed(2)}x** (quartiles ${ratio.p25.toFixed(2)}x to ${ratio.p75.toFixed(2)}x). These move less from run to run than the difference and ratio of the medians above.`,
    "",
  ];
}

export function renderMarkdown(results: BenchResults): string {
  const notes = results.notes;
  const summaries = summarise(results);
  const targets = judgeTargets(summaries);
  const slowdown = invokeSlowdown(results.memoryMb);
  const lines: string[] = [];
  const { machine } = results;
  lines.push(
    "# Cold-start benchmark",
    "",
    `Measured ${results.date.slice(0, 10)} with \`${results.command}\` on ${machine.cpu}, ${machine.cores} cores${machine.virtualisation === undefined ? "" : ` (${machine.virtualisation}, like Lambda's)`}, ` +
      `${machine.memoryGiB} GiB RAM, ${machine.os}; subjects ran on Node ${results.node} with Lambda's 128 MB node ` +
      `flags (\`${results.nodeFlags.join(" ")}\`). ${results.sessionsPerSubject} cold sessions per subject, ` +
      "interleaved. Figures are medians, with the range (min–max) in small print. " +
      `The 1-minute load average was ${results.loadAverage.start.toFixed(2)} at the start and ${results.loadAverage.end.toFixed(2)} at the end: other work on the machine inflates and scatters the figures, but the subjects' sessions alternate, so none is favoured.`,
    "",
    "![Modelled cold session on a 128 MB Lambda](chart.svg)",
    "",
    "## Targets",
    "",
    "| Target | Limit | Measured (ours) | Met |",
    "| --- | --- | --- | --- |",
    ...targets.map((target) => `| ${target.name} | ${target.limit} | ${target.actual} | ${yesNo(target)} |`),
    "",
    ...pairedLines(results),
    "## Cold session",
    "",
    `CPU time in ms of a fresh process: INIT (loading the bundle, top-level await included), then the client's first requests. ` +
      `Modelled = INIT + invoke CPU x ${ONE_VCPU_MB}/${results.memoryMb} (see the model below).`,
    "",
    `| Subject | INIT | ${REQUEST_LABELS.join(" | ")} | invoke total | **modelled ${results.memoryMb} MB cold** | peak RSS MiB |`,
    `| --- | ---: | ${REQUEST_LABELS.map(() => "---:").join(" | ")} | ---: | ---: | ---: |`,
    ...summaries.map(
      (summary) =>
        `| ${summary.title} | ${cell(summary.init)} | ${REQUEST_LABELS.map((label) => cell(summary.requests[label])).join(" | ")} | ` +
        `${cell(summary.invoke)} | **${cell(summary.modelled, 0)}** | ${cell(summary.peakRss)} |`,
    ),
    "",
    "## Bundles",
    "",
    'Each subject bundled by esbuild with the Lambda\'s own options (`scripts/lambda-esbuild.mjs`: ESM, node22, minified). "AWS SDK" is `@aws-sdk/client-dynamodb` and the closure of its installed dependencies (`@aws-sdk/*`, `@smithy/*`, `@aws/*`, bowser, mnemonist, obliterator, tslib ...): the bytes esbuild attributes to them in its metafile; everything else (our code, schemas, the MCP layer, esbuild\'s runtime and banners) is "without the AWS SDK". Each is split as the Lambda is (`dist/lambda/`): index.mjs and the chunks it imports are loaded at INIT and weighed in the first four columns; the chunks only a dynamic import loads (for the AWS SDK, two parts that a DynamoDB client on Node never uses: bowser, a browser user-agent parser, and event-stream support) are "lazy". 1 KB = 1,000 bytes.',
    "",
    "| Subject | raw KB | gzip -9 KB | AWS SDK KB | without the AWS SDK KB | lazy chunks KB (without the AWS SDK) |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...summaries.map(
      (summary) =>
        `| ${summary.title} | ${kb(summary.size.rawBytes)} | ${kb(summary.size.gzipBytes)} | ${kb(summary.size.awsSdkBytes)} | ${kb(summary.size.withoutAwsSdkBytes)} | ` +
        `${summary.size.lazy === undefined ? "none" : `${kb(summary.size.lazy.rawBytes)} (${kb(summary.size.lazy.withoutAwsSdkBytes)})`} |`,
    ),
    "",
  );
  const warm = summaries.filter((summary) => summary.warm !== undefined);
  if (warm.length > 0 && results.warmPlan !== undefined) {
    const plan = results.warmPlan;
    lines.push(
      "## Warm",
      "",
      `One process per subject, handler called in-process, each request followed by one turn of the event loop (as between two Lambda invokes). tools/list: ${plan.warmupRequests.toLocaleString("en-US")} requests to warm up, then ${plan.listRequests.toLocaleString("en-US")} timed; RSS and heap read after a forced gc before and after them. ` +
        `create + search: ${plan.pairs.toLocaleString("en-US")} pairs against dynalite (each search reads every memory, so the table grows by one per pair), bounded by dynalite, not by the subject.`,
      "",
      "| Subject | tools/list req/s | RSS before → after MiB | heap before → after MiB | create+search pairs/s | RSS after pairs MiB |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...warm.map((summary) => {
        const result = summary.warm as WarmResult; // filtered above
        const memory = result.memory;
        if (result.error !== undefined) return `| ${summary.title} | ${result.error} | | | | |`;
        return (
          `| ${summary.title} | ${Math.round(result.toolsList.perSecond).toLocaleString("en-US")} | ` +
          `${memory.beforeList.rssMiB.toFixed(1)} → ${memory.afterList.rssMiB.toFixed(1)} | ` +
          `${memory.beforeList.heapUsedMiB.toFixed(1)} → ${memory.afterList.heapUsedMiB.toFixed(1)} | ` +
          `${result.createSearch.pairsPerSecond.toFixed(0)} | ${memory.afterPairs.rssMiB.toFixed(1)} |`
        );
      }),
      "",
    );
  }
  lines.push(
    "## The model",
    "",
    `A cold request on Lambda runs INIT (the runtime loads the handler module, top-level await included) and then the invoke. ` +
      `The benchmark measures the CPU time of each, not the wall time of this machine, and scales it as Lambda would at ${results.memoryMb} MB:`,
    "",
    `- **Invoke CPU x ${ONE_VCPU_MB}/${results.memoryMb} = x${slowdown.toFixed(2)}.** Lambda allocates CPU in proportion to memory; ` +
      '"at 1,769 MB, a function has the equivalent of one vCPU" ([AWS Lambda developer guide, Configure Lambda function memory](https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)). ' +
      `At ${results.memoryMb} MB an invoke gets ${results.memoryMb}/${ONE_VCPU_MB} of a vCPU, so 1 ms of CPU takes about ${slowdown.toFixed(1)} ms.`,
    "- **INIT CPU x 1.** Function initialisation runs with burst CPU, not the memory-proportional share: " +
      '"Lambda managed runtimes offer up to 10 seconds for function initialization with burst CPU" ([AWS Lambda Web Adapter docs, awslabs](https://awslabs.github.io/aws-lambda-web-adapter/configuration/async-init.html)); ' +
      "measured by [Bite-Sized Serverless, Lambda Cold Starts and Bootstrap Code](https://bitesizedserverless.com/bite/lambda-cold-start-bootstrap/) (init code runs unthrottled up to about 3 GB). " +
      "The Init phase itself is limited to 10 seconds ([execution environment lifecycle](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)). " +
      "AWS does not document the burst in the developer guide; if INIT were throttled too, every subject's INIT would grow by the same factor and the floors' lead over the SDK recipes would widen.",
    `- **The CPU here is ${results.machine.cpu} (${results.machine.arch ?? "x64"}); the function runs on arm64 (Graviton).** Absolute milliseconds will differ there; the ratios between subjects, which the targets are about, should carry over.`,
    "- **Left out, the same for every subject:** the runtime's own start (node boot, the Runtime API client), the download of the code, " +
      "and network waits (DynamoDB round trips are I/O, not CPU; here they go to a local dynalite). A warm-up call in INIT adds one DynamoDB round trip to INIT's wall time and takes the connection set-up (DNS, TCP, TLS) out of the first request.",
    "",
    "## Method",
    "",
    "- A **cold session** is a fresh `node` process (`bench/cold-session.mjs`) started with the flags of Lambda's nodejs bootstrap for 128 MB " +
      "([aws-lambda-base-images](https://github.com/aws/aws-lambda-base-images): `--expose-gc`, semi-space = memory/20 MB, old space = memory - memory/10 MB) " +
      "and a Lambda-like environment (region, temporary credentials in variables, `AWS_LAMBDA_FUNCTION_NAME`, an empty HOME). It imports the bundle (INIT), then calls " +
      "`handler(event, context)` with Function URL events (payload 2.0) for: initialize, notifications/initialized, tools/list, a create_memory, a search_memories that must find it. " +
      "`process.cpuUsage()` (user + system, every thread of the process) is read around each step and `process.resourceUsage().maxRSS` at the end. Every answer is checked before its figures count.",
    `- DynamoDB is [dynalite](https://github.com/architect/dynalite) in the benchmark's parent process, so its CPU is not counted, with a fresh table per session${results.tls ? ", behind an HTTPS front with a throwaway self-signed certificate (trusted through NODE_EXTRA_CA_CERTS), so the first DynamoDB call pays for DNS, TCP and a TLS handshake as in Lambda" : " over plain HTTP (openssl was not found, so no TLS handshake is counted)"}.`,
    "- Sessions of all subjects are interleaved (the order rotates each round) so that drift in the machine spreads over all of them.",
    "- Where the CPU goes: `npx tsx bench/profile.ts ours` runs one session under `node --cpu-prof` and sums the samples per phase by module and function.",
    "",
    "## Subjects",
    "",
    ...results.subjects.map(
      (subject) => `- **${subject.title}** (\`${subject.id}\`): ${subject.description}.`,
    ),
    "",
  );
  if (notes.length > 0) lines.push("## Notes", "", ...notes.map((note) => `- ${note}`), "");
  return `${lines.join("\n")}`;
}
