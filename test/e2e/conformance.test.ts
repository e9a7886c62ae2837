// Runs the official MCP conformance suite (@modelcontextprotocol/conformance, on Node 22 from the node@22
// devDependency) against npm start's server and against the built Lambda bundle behind a Function URL
// emulator, in both eras (2025-11-25 with the initialize handshake, 2026-07-28 stateless). Every check
// must pass except those listed below as not applying to a memory server, each with its reason; the
// revisions' required scenarios that are not run are listed with theirs.
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { lambdaBuildOptions } from "../../scripts/lambda-esbuild.mjs";
import { TEST_API_KEY } from "../fixtures/events.ts";
import { type FunctionUrl, startFunctionUrl } from "../helpers/function-url.ts";
import { type LambdaUnderTest, loadLambda } from "../helpers/lambda.ts";
import { NODE_22 } from "../helpers/node22.ts";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const CONFORMANCE = join(
  dirname(require.resolve("@modelcontextprotocol/conformance/package.json")),
  "dist",
  "index.js",
);
const ROOT = join(dirname(new URL(import.meta.url).pathname), "..", "..");

type Revision = "2025-11-25" | "2026-07-28";

/** The scenarios run, per revision: each one of them applies to this server. */
const SCENARIOS: Record<Revision, readonly string[]> = {
  "2025-11-25": ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"],
  "2026-07-28": [
    "server-stateless",
    "tools-list",
    "http-header-validation",
    "caching",
    "dns-rebinding-protection",
  ],
};

const FIXTURE_TOOLS = "calls the suite's own fixture tools (test_*), which a memory server does not have";
const NO_SSE = "needs SSE streams: this server answers every request with one JSON body (Lambda buffers)";
const NO_MRTR = "needs a fixture tool that asks the client for input (elicitation, sampling, roots)";
const NO_RESOURCES = "this server offers tools only: no resources";
const NO_PROMPTS = "this server offers tools only: no prompts";

/** Required server scenarios of each revision (`conformance list --requirements`) that are not run. */
const SCENARIOS_NOT_APPLICABLE: Record<string, string> = {
  "logging-set-level": "the logging capability is not offered",
  "completion-complete": "the completions capability is not offered",
  "tools-call-simple-text": FIXTURE_TOOLS,
  "tools-call-image": FIXTURE_TOOLS,
  "tools-call-audio": FIXTURE_TOOLS,
  "tools-call-embedded-resource": FIXTURE_TOOLS,
  "tools-call-mixed-content": FIXTURE_TOOLS,
  "tools-call-with-logging": `${FIXTURE_TOOLS}; logging is not offered`,
  "tools-call-error": FIXTURE_TOOLS,
  "tools-call-with-progress": `${FIXTURE_TOOLS}; progress notifications need SSE`,
  "tools-call-sampling": `${FIXTURE_TOOLS}; sampling needs SSE`,
  "tools-call-elicitation": `${FIXTURE_TOOLS}; elicitation needs SSE`,
  "elicitation-sep1034-defaults": `${FIXTURE_TOOLS}; elicitation needs SSE`,
  "elicitation-sep1330-enums": `${FIXTURE_TOOLS}; elicitation needs SSE`,
  "server-sse-multiple-streams": NO_SSE,
  "resources-list": NO_RESOURCES,
  "resources-read-text": NO_RESOURCES,
  "resources-read-binary": NO_RESOURCES,
  "resources-templates-read": NO_RESOURCES,
  "resources-subscribe": `${NO_RESOURCES}, so no subscriptions`,
  "resources-unsubscribe": `${NO_RESOURCES}, so no subscriptions`,
  "sep-2164-resource-not-found": NO_RESOURCES,
  "prompts-list": NO_PROMPTS,
  "prompts-get-simple": NO_PROMPTS,
  "prompts-get-with-args": NO_PROMPTS,
  "prompts-get-embedded-resource": NO_PROMPTS,
  "prompts-get-with-image": NO_PROMPTS,
  "input-required-result-basic-elicitation": NO_MRTR,
  "input-required-result-basic-sampling": NO_MRTR,
  "input-required-result-basic-list-roots": NO_MRTR,
  "input-required-result-request-state": NO_MRTR,
  "input-required-result-multiple-input-requests": NO_MRTR,
  "input-required-result-multi-round": NO_MRTR,
  "input-required-result-missing-input-response": NO_MRTR,
  "input-required-result-non-tool-request": NO_MRTR,
  "input-required-result-result-type": NO_MRTR,
  "input-required-result-unsupported-methods": NO_MRTR,
  "input-required-result-tampered-state": NO_MRTR,
  "input-required-result-capability-check": NO_MRTR,
  "input-required-result-ignore-extra-params": NO_MRTR,
  "input-required-result-validate-input": NO_MRTR,
};

/** Checks of the scenarios run that do not apply (the suite reports them failed or skipped), and why. */
const CHECKS_NOT_APPLICABLE: Record<string, string> = {
  "server-stateless:sep-2575-server-rejects-undeclared-capability": `${FIXTURE_TOOLS} (test_missing_capability); no tool needs a client capability`,
  "server-stateless:sep-2575-missing-capability-http-400": `${FIXTURE_TOOLS} (test_missing_capability)`,
  "server-stateless:sep-2575-http-server-no-independent-requests-on-stream": `${FIXTURE_TOOLS} (test_streaming_elicitation); ${NO_SSE}`,
  "server-stateless:sep-2575-server-no-log-without-loglevel": `${FIXTURE_TOOLS} (test_logging_tool); logging is not offered`,
  "server-stateless:sep-2575-server-sends-subscription-ack":
    "subscriptions/listen: nothing to subscribe to (tool list fixed per deployment, no resources)",
  "server-stateless:sep-2575-server-tags-subscription-id": "subscriptions/listen: nothing to subscribe to",
  "server-stateless:sep-2575-server-honors-notification-filter":
    "subscriptions/listen: nothing to subscribe to",
  "server-stateless:sep-2575-server-sends-prompts-list-changed-on-subscription":
    "no prompts, and no listChanged capability",
  "server-stateless:sep-2575-server-sends-tools-list-changed-on-subscription":
    "the tool list only changes with a deployment: no listChanged capability",
  "caching:sep-2549-prompts-list-caching-hints": NO_PROMPTS,
  "caching:sep-2549-resources-list-caching-hints": NO_RESOURCES,
  "caching:sep-2549-resources-templates-list-caching-hints": NO_RESOURCES,
  "caching:sep-2549-resources-read-caching-hints": NO_RESOURCES,
};

interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "SKIPPED" | "INFO";
  errorMessage?: string;
}

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs one scenario and returns the checks it wrote. */
async function runScenario(url: string, revision: Revision, scenario: string): Promise<Check[]> {
  const out = tempDir("conformance-");
  // The CLI exits non-zero when a check fails; the checks it wrote are judged below instead.
  await run(
    NODE_22,
    [CONFORMANCE, "server", "--url", url, "--scenario", scenario, "--spec-version", revision, "-o", out],
    { cwd: out, maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: unknown) => error);
  const [resultDir] = readdirSync(out);
  assert.ok(resultDir !== undefined, `${scenario} (${revision}) wrote no results`);
  return JSON.parse(readFileSync(join(out, resultDir, "checks.json"), "utf8")) as Check[]; // the suite's own output format
}

/** Runs a revision's scenarios; fails listing every check that did not pass and is not excused above. */
async function assertConformance(url: string, revision: Revision): Promise<void> {
  const unexpected: string[] = [];
  const notApplicableSeen = new Set<string>();
  // Side by side: each run mostly waits on the server and on its own start-up.
  const runs = await Promise.all(
    SCENARIOS[revision].map(async (scenario) => ({
      scenario,
      checks: await runScenario(url, revision, scenario),
    })),
  );
  for (const { scenario, checks } of runs) {
    assert.ok(
      checks.some((check) => check.status === "SUCCESS"),
      `${scenario} (${revision}) passed no check at all`,
    );
    for (const check of checks) {
      const key = `${scenario}:${check.id}`;
      if (check.status === "SUCCESS" || check.status === "INFO") continue;
      if (key in CHECKS_NOT_APPLICABLE) notApplicableSeen.add(key);
      else unexpected.push(`${key} ${check.status}: ${check.errorMessage ?? ""}`);
    }
  }
  assert.deepEqual(unexpected, [], `checks that must pass (${revision})`);
  // An excused check that now passes means the list above is stale.
  const excused = Object.keys(CHECKS_NOT_APPLICABLE).filter((key) =>
    SCENARIOS[revision].includes(key.split(":")[0] ?? ""),
  );
  assert.deepEqual([...notApplicableSeen].sort(), excused.sort(), `not-applicable checks (${revision})`);
}

/** Starts `npm start`'s entry on Node 22 (as npm runs it with the devDependency) with a fresh data dir. */
async function startLocal(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(NODE_22, ["--import", "tsx", "src/local/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", DATA_DIR: tempDir("conformance-data-"), MCP_API_KEY: TEST_API_KEY },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /endpoint {2}(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`npm start's entry exited (${code}): ${stderr}`)));
  });
  return { url, child };
}

describe("official conformance suite against npm start's server", () => {
  let local: { url: string; child: ChildProcess };
  before(async () => {
    local = await startLocal();
  });
  after(async () => {
    const exited = new Promise((done) => local.child.once("exit", done));
    local.child.kill("SIGINT");
    await exited;
  });

  // The key rides in the path: the suite sends no credentials of its own.
  for (const revision of ["2025-11-25", "2026-07-28"] as const) {
    test(`${revision}: ${SCENARIOS[revision].join(", ")}`, async () => {
      await assertConformance(`${local.url}/${TEST_API_KEY}`, revision);
    });
  }
});

describe("official conformance suite against the built bundle behind a Function URL", () => {
  let lambda: LambdaUnderTest;
  let functionUrl: FunctionUrl;
  before(async () => {
    const outdir = tempDir("conformance-bundle-");
    await build(lambdaBuildOptions({ entryPoint: join(ROOT, "src", "lambda.ts"), outdir }));
    // The handler is bound once loaded: the Function URL's own origin must be known first, for the
    // allow list the deployment sets (terraform: MCP_ALLOWED_ORIGINS).
    let invoke: LambdaUnderTest["invoke"] | undefined;
    functionUrl = await startFunctionUrl(async (event) => {
      assert.ok(invoke !== undefined);
      const { status, headers, body } = await invoke(event);
      return { statusCode: status, headers, body };
    });
    lambda = await loadLambda(
      { MCP_ALLOWED_ORIGINS: functionUrl.origin },
      pathToFileURL(join(outdir, "index.mjs")).href,
    );
    invoke = lambda.invoke;
  });
  after(async () => {
    await functionUrl.close();
    await lambda.stop();
  });

  for (const revision of ["2025-11-25", "2026-07-28"] as const) {
    test(`${revision}: ${SCENARIOS[revision].join(", ")}`, async () => {
      await assertConformance(`${functionUrl.origin}/mcp/${TEST_API_KEY}`, revision);
    });
  }
});

test("every server scenario each revision requires is run or listed with the reason it does not apply", async () => {
  for (const revision of ["2025-11-25", "2026-07-28"] as const) {
    const { stdout } = await run(NODE_22, [CONFORMANCE, "list", "--requirements", revision]);
    const serverSection = stdout.split(/Client scenarios/)[0] ?? "";
    const required = [...serverSection.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1] ?? "");
    assert.ok(required.length > 0, `no server scenarios listed for ${revision}`);
    const unaccounted = required.filter(
      (scenario) => !SCENARIOS[revision].includes(scenario) && !(scenario in SCENARIOS_NOT_APPLICABLE),
    );
    assert.deepEqual(unaccounted, [], `required by ${revision}, neither run nor listed`);
  }
});
