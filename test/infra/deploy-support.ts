// What the deploy.sh tests share: a sandbox per test (a key file, fake `terraform` and `aws` commands that
// record their arguments and environment, and the tools the script needs), a way to run the real script in
// it, and checks that no plain key leaks. Importing it registers the sandbox's beforeEach and afterEach.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterEach, beforeEach } from "node:test";

export const repoRoot = resolve(import.meta.dirname, "../..");
export const deployScript = join(repoRoot, "scripts/deploy.sh");
export const endpoint = "https://fake0123456789.lambda-url.eu-west-1.on.aws/mcp";

// Records every call as "ARGV <args>" followed by "ENV <name=value>" lines. Behaves like terraform with a
// local state: an apply deploys (FAKE_STATE appears), and then `output` and `state list` find the
// deployment; before that, `output -raw` prints a warning to stdout and exits 0, as terraform does, while
// `output -json <name>` fails.
export const fakeTerraform = `#!/usr/bin/env bash
{ printf 'ARGV terraform'; printf ' %s' "$@"; printf '\\n'; env | sed 's/^/ENV /'; } >>"$FAKE_RECORD"
if [[ " $* " == *" apply "* ]]; then printf 'deployed\\n' >"$FAKE_STATE"; fi
if [[ " $* " == *" output "* ]]; then
  name=\${*: -1}
  case $name in endpoint_url) value=$FAKE_ENDPOINT ;; table_name) value=memory-mcp ;; *) value= ;; esac
  if [[ -f $FAKE_STATE && -n $value ]]; then
    if [[ " $* " == *" -json "* ]]; then printf '"%s"\\n' "$value"; else printf '%s' "$value"; fi
  elif [[ " $* " == *" -json "* ]]; then
    printf 'Error: Output "%s" not found\\n' "$name" >&2
    exit 1
  else
    printf 'Warning: No outputs found\\n'
  fi
fi
if [[ " $* " == *" state list "* && -f $FAKE_STATE ]]; then printf 'aws_dynamodb_table.this\\n'; fi
exit 0
`;

export const fakeAws = `#!/usr/bin/env bash
{ printf 'ARGV aws'; printf ' %s' "$@"; printf '\\n'; env | sed 's/^/ENV /'; } >>"$FAKE_RECORD"
printf 'arn:aws:iam::123456789012:user/test\\n'
`;

/** Every command deploy.sh and the fakes run, other than terraform and aws. */
export const TOOLS = [
  "bash",
  "cat",
  "chmod",
  "dirname",
  "env",
  "grep",
  "mkdir",
  "mktemp",
  "mv",
  "node",
  "openssl",
  "rm",
  "sed",
  "sha256sum",
  "shasum",
  "tail",
  "tr",
  "wc",
];

export interface Sandbox {
  dir: string;
  deployDir: string;
  keyFile: string;
  record: string;
  /** Present once the fake terraform has applied: the deployment exists. */
  state: string;
  /** The fake terraform and aws. */
  bin: string;
  /** Links to this machine's TOOLS only, so a real terraform or aws is never found. */
  tools: string;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export let sandbox: Sandbox;

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), "deploy-keys-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "terraform"), fakeTerraform);
  writeFileSync(join(bin, "aws"), fakeAws);
  chmodSync(join(bin, "terraform"), 0o755);
  chmodSync(join(bin, "aws"), 0o755);
  const tools = join(dir, "tools");
  mkdirSync(tools);
  for (const tool of TOOLS) {
    const found = spawnSync("bash", ["-c", 'command -v "$1"', "bash", tool], {
      encoding: "utf8",
    }).stdout.trim();
    if (found.startsWith("/")) symlinkSync(found, join(tools, tool));
  }
  writeFileSync(join(dir, "lambda.zip"), "stand-in bundle");
  const deployDir = join(dir, "deploy");
  sandbox = {
    dir,
    deployDir,
    keyFile: join(deployDir, "api-keys"),
    record: join(dir, "record.txt"),
    state: join(dir, "terraform.tfstate"),
    bin,
    tools,
  };
});

afterEach(() => {
  rmSync(sandbox.dir, { recursive: true, force: true });
});

export function runDeploy(
  args: readonly string[],
  extraEnv: Record<string, string> = {},
  bin = sandbox.bin,
): RunResult {
  const result = spawnSync(join(sandbox.tools, "bash"), [deployScript, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    input: "",
    // A clean environment: nothing of the developer's AWS setup leaks into the test or out of it.
    env: {
      PATH: `${bin}${delimiter}${sandbox.tools}`,
      HOME: sandbox.dir,
      DEPLOY_DIR: sandbox.deployDir,
      FAKE_RECORD: sandbox.record,
      FAKE_STATE: sandbox.state,
      FAKE_ENDPOINT: endpoint,
      TF_VAR_lambda_zip_path: join(sandbox.dir, "lambda.zip"),
      TF_APPLY_ARGS: "-auto-approve",
      ...extraEnv,
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function storedKeys(): string[] {
  return readFileSync(sandbox.keyFile, "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function record(): string {
  return existsSync(sandbox.record) ? readFileSync(sandbox.record, "utf8") : "";
}

/** TF_VAR_api_key_sha256s as the last `terraform apply` call saw it. */
export function lastApplyDigests(): string[] {
  const calls = record().split(/^(?=ARGV )/m);
  const apply = calls
    .filter((call) => call.startsWith("ARGV terraform -chdir=") && call.includes(" apply"))
    .at(-1);
  assert.ok(apply, "terraform apply was not called");
  const line = apply.split("\n").find((entry) => entry.startsWith("ENV TF_VAR_api_key_sha256s="));
  assert.ok(line, "terraform apply ran without TF_VAR_api_key_sha256s");
  const value: unknown = JSON.parse(line.slice("ENV TF_VAR_api_key_sha256s=".length));
  assert.ok(Array.isArray(value) && value.every((entry) => typeof entry === "string"));
  return value as string[]; // checked just above: an array of strings
}

export function assertNoKeyLeaked(keys: readonly string[], ...outputs: readonly string[]): void {
  for (const key of keys) {
    assert.equal(
      record().includes(key),
      false,
      "a plain key reached terraform's or aws's arguments or environment",
    );
    for (const output of outputs) assert.equal(output.includes(key), false, "a plain key was printed");
  }
}

export function assertOk(result: RunResult): void {
  assert.equal(result.status, 0, `deploy.sh failed:\n${result.stdout}\n${result.stderr}`);
}
