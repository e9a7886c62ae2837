// Warm figures in one long-lived process (run with --expose-gc): requests per second of tools/list and of
// create + search pairs through the handler in-process, and the resident set before and after.
// Usage: node --expose-gc warm-session.mjs <bundle.mjs> <warm.json> <result.json>
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [bundle, warmFile, resultFile] = process.argv.slice(2);
if (bundle === undefined || warmFile === undefined || resultFile === undefined) {
  throw new Error("usage: warm-session.mjs <bundle.mjs> <warm.json> <result.json>");
}
const plan = JSON.parse(readFileSync(warmFile, "utf8"));
const gc = globalThis.gc ?? (() => {});
const context = { functionName: "memory-mcp", getRemainingTimeInMillis: () => 10_000 };
const subject = await import(pathToFileURL(bundle).href);

/**
 * One invoke, then one turn of the event loop, as between two Lambda invokes (the runtime talks to the
 * Runtime API in between). Without it a request that does no I/O (tools/list) never lets the loop run:
 * pending stdout writes, timers and stream callbacks would pile up, and look like a leak that Lambda never has.
 */
async function call(event) {
  const response = await subject.handler({ ...event }, context);
  if (response.statusCode >= 300) throw new Error(`status ${response.statusCode}: ${response.body}`);
  await new Promise((resolve) => setImmediate(resolve));
  return response;
}

function memory() {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMiB: rss / 2 ** 20, heapUsedMiB: heapUsed / 2 ** 20 };
}

await call(plan.initialize);
for (let i = 0; i < plan.warmupRequests; i++) await call(plan.toolsList);
const beforeList = memory();
let started = performance.now();
for (let i = 1; i <= plan.listRequests; i++) {
  await call(plan.toolsList);
  // Progress on stderr, so that a run that dies (out of memory) still says how far it got.
  if (i % 1000 === 0) process.stderr.write(`tools/list ${i}\n`);
}
const listSeconds = (performance.now() - started) / 1000;
const afterList = memory();

// Each create stores new content (a repeated one would take the duplicate path); bodies are made up front.
const creates = plan.createBodies.map((body) => ({ ...plan.create, body }));
started = performance.now();
for (const create of creates) {
  await call(create);
  await call(plan.search);
}
const pairSeconds = (performance.now() - started) / 1000;
const afterPairs = memory();

writeFileSync(
  resultFile,
  JSON.stringify({
    node: process.version,
    toolsList: {
      requests: plan.listRequests,
      seconds: listSeconds,
      perSecond: plan.listRequests / listSeconds,
    },
    createSearch: {
      pairs: creates.length,
      seconds: pairSeconds,
      pairsPerSecond: creates.length / pairSeconds,
      requestsPerSecond: (2 * creates.length) / pairSeconds,
    },
    memory: { beforeList, afterList, afterPairs },
  }),
);
process.exit(0);
