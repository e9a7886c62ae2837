// One cold session in a fresh Node process, the way Lambda meets a new execution environment: load the
// bundle (INIT, top-level await included), then serve the client's first requests one by one. Measures
// process CPU (all threads: user + system) around each step and the peak RSS; plain JavaScript with only
// node: imports, so that nothing but the subject runs inside the measured windows.
// Usage: node cold-session.mjs <bundle.mjs> <session.json> <result.json>
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [bundle, sessionFile, resultFile] = process.argv.slice(2);
if (bundle === undefined || sessionFile === undefined || resultFile === undefined) {
  throw new Error("usage: cold-session.mjs <bundle.mjs> <session.json> <result.json>");
}
const session = JSON.parse(readFileSync(sessionFile, "utf8"));
const bundleUrl = pathToFileURL(bundle).href;
const context = {
  functionName: "memory-mcp",
  functionVersion: "$LATEST",
  memoryLimitInMB: "128",
  awsRequestId: "00000000-0000-4000-8000-000000000000",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
};

function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// hrtime marks of each phase's start and end, for lining a --cpu-prof profile up with the phases.
const marks = [String(process.hrtime.bigint())];
let cpu = cpuMs();
let wall = performance.now();
const subject = await import(bundleUrl);
const init = { cpuMs: cpuMs() - cpu, wallMs: performance.now() - wall };
const maxRssAfterInitKiB = process.resourceUsage().maxRSS;
marks.push(String(process.hrtime.bigint()));

const requests = [];
for (const { label, event } of session.requests) {
  cpu = cpuMs();
  wall = performance.now();
  marks.push(String(process.hrtime.bigint()));
  const response = await subject.handler(event, context);
  requests.push({ label, cpuMs: cpuMs() - cpu, wallMs: performance.now() - wall, response });
  marks.push(String(process.hrtime.bigint()));
}

writeFileSync(
  resultFile,
  JSON.stringify({
    init,
    requests,
    marks,
    maxRssAfterInitKiB,
    maxRssKiB: process.resourceUsage().maxRSS,
    node: process.version,
  }),
);
// Keep-alive sockets and timers of some subjects would hold the process open.
process.exit(0);
