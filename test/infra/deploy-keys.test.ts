// Pins down how scripts/deploy.sh keeps API keys: a private key file on this machine, and only the
// keys' SHA-256 digests handed to Terraform. Runs the real script against fake `terraform` and `aws`
// commands that record their arguments and environment, so the tests prove the plain key never
// reaches either, and need no AWS account.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";

const repoRoot = resolve(import.meta.dirname, "../..");
const deployScript = join(repoRoot, "scripts/deploy.sh");
const endpoint = "https://fake0123456789.lambda-url.eu-west-1.on.aws/mcp";

// Records every call as "ARGV <args>" followed by "ENV <name=value>" lines. Behaves like terraform with a
// local state: an apply deploys (FAKE_STATE appears), and then `output` and `state list` find the
// deployment; before that, `output -raw` prints a warning to stdout and exits 0, as terraform does, while
// `output -json <name>` fails.
const fakeTerraform = `#!/usr/bin/env bash
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

const fakeAws = `#!/usr/bin/env bash
{ printf 'ARGV aws'; printf ' %s' "$@"; printf '\\n'; env | sed 's/^/ENV /'; } >>"$FAKE_RECORD"
printf 'arn:aws:iam::123456789012:user/test\\n'
`;

/** Every command deploy.sh and the fakes run, other than terraform and aws. */
const TOOLS = [
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

interface Sandbox {
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

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

let sandbox: Sandbox;

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

function runDeploy(
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

function storedKeys(): string[] {
  return readFileSync(sandbox.keyFile, "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function record(): string {
  return existsSync(sandbox.record) ? readFileSync(sandbox.record, "utf8") : "";
}

/** TF_VAR_api_key_sha256s as the last `terraform apply` call saw it. */
function lastApplyDigests(): string[] {
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

function assertNoKeyLeaked(keys: readonly string[], ...outputs: readonly string[]): void {
  for (const key of keys) {
    assert.equal(
      record().includes(key),
      false,
      "a plain key reached terraform's or aws's arguments or environment",
    );
    for (const output of outputs) assert.equal(output.includes(key), false, "a plain key was printed");
  }
}

function assertOk(result: RunResult): void {
  assert.equal(result.status, 0, `deploy.sh failed:\n${result.stdout}\n${result.stderr}`);
}

describe("keys-digests", () => {
  test("first run generates one private key and prints only its digest", () => {
    const result = runDeploy(["keys-digests"]);
    assertOk(result);

    const keys = storedKeys();
    assert.equal(keys.length, 1);
    const [key = ""] = keys;
    assert.match(key, /^[A-Za-z0-9_-]{43}$/, "32 random bytes in base64url");
    assert.equal(statSync(sandbox.keyFile).mode & 0o777, 0o600);
    assert.equal(statSync(sandbox.deployDir).mode & 0o777, 0o700);
    assert.deepEqual(JSON.parse(result.stdout), [sha256Hex(key)]);
    assert.match(result.stdout, /^\["[0-9a-f]{64}"\]\n$/);
    assertNoKeyLeaked(keys, result.stdout, result.stderr);
  });

  test("a later run keeps the stored key", () => {
    assertOk(runDeploy(["keys-digests"]));
    const first = storedKeys();
    const again = runDeploy(["keys-digests"]);
    assertOk(again);
    assert.deepEqual(storedKeys(), first);
    assert.deepEqual(JSON.parse(again.stdout), first.map(sha256Hex));
  });

  test("MCP_API_KEY seeds an empty key file", () => {
    const key = "my-own-key-0123456789-abcdefghijklmnop";
    const result = runDeploy(["keys-digests"], { MCP_API_KEY: key });
    assertOk(result);
    assert.deepEqual(storedKeys(), [key]);
    assert.deepEqual(JSON.parse(result.stdout), [sha256Hex(key)]);
  });

  test("MCP_API_KEY that is not among the stored keys is refused", () => {
    assertOk(runDeploy(["keys-digests"]));
    const before = storedKeys();
    const result = runDeploy(["keys-digests"], { MCP_API_KEY: "another-key-0123456789-abcdefghijklmno" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /MCP_API_KEY is set, but .* already holds other keys/);
    assert.deepEqual(storedKeys(), before);
  });

  test("a key unfit for a URL is refused without being echoed", () => {
    const key = "short key";
    const result = runDeploy(["keys-digests"], { MCP_API_KEY: key });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /MCP_API_KEY must be 32\+ characters/);
    assert.equal(result.stderr.includes(key), false);
  });

  test("a malformed line in the key file is refused without being echoed", () => {
    mkdirSync(sandbox.deployDir, { mode: 0o700 });
    writeFileSync(sandbox.keyFile, "not a key, has spaces\n", { mode: 0o600 });
    const result = runDeploy(["keys-digests"]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /line 1 of .* is not a key/);
    assert.equal(result.stderr.includes("has spaces"), false);
  });
});

describe("apply, rotate-key, retire-key", () => {
  test("apply hands terraform the digest only and prints the connection details", () => {
    const key = "seeded-key-0123456789-abcdefghijklmnopq";
    const result = runDeploy(["apply"], { MCP_API_KEY: key });
    assertOk(result);

    assert.deepEqual(lastApplyDigests(), [sha256Hex(key)]);
    assert.match(record(), /^ARGV terraform -chdir=\S+\/terraform apply -auto-approve$/m);
    assert.equal(record().includes("MCP_API_KEY"), false, "MCP_API_KEY was passed on to a child process");
    assert.equal(record().includes(key), false, "the plain key reached terraform or aws");
    assert.ok(
      result.stdout.includes(`${endpoint}/${key}`),
      "connector URL with the key as its last path segment",
    );
    assert.ok(
      result.stdout.includes(
        `claude mcp add --transport http memory ${endpoint} --header "Authorization: Bearer ${key}"`,
      ),
    );
    assert.ok(result.stdout.includes(`curl -sS ${endpoint} -H "Authorization: Bearer ${key}"`));
  });

  test("rotate-key deploys old and new key, then retire-key keeps the newest only", () => {
    assertOk(runDeploy(["apply"]));
    const [oldKey = ""] = storedKeys();

    const rotated = runDeploy(["rotate-key"]);
    assertOk(rotated);
    const keys = storedKeys();
    assert.equal(keys.length, 2);
    assert.equal(keys[0], oldKey, "the old key stays first");
    const newKey = keys[1] ?? "";
    assert.notEqual(newKey, oldKey);
    assert.deepEqual(lastApplyDigests(), [sha256Hex(oldKey), sha256Hex(newKey)]);
    assert.ok(rotated.stdout.includes(`${endpoint}/${newKey}`), "the connector URL uses the new key");
    assert.match(rotated.stdout, /make retire-key/);
    assert.deepEqual(JSON.parse(runDeploy(["keys-digests"]).stdout), [sha256Hex(oldKey), sha256Hex(newKey)]);

    const retired = runDeploy(["retire-key"]);
    assertOk(retired);
    assert.deepEqual(storedKeys(), [newKey]);
    assert.deepEqual(lastApplyDigests(), [sha256Hex(newKey)]);
    assert.match(retired.stdout, /Retired 1 older key/);
    assert.equal(statSync(sandbox.keyFile).mode & 0o777, 0o600);

    assertNoKeyLeaked([oldKey, newKey]);
  });

  test("print reads the endpoint from Terraform without applying", () => {
    assertOk(runDeploy(["apply"]));
    const [key = ""] = storedKeys();
    rmSync(sandbox.record);
    const result = runDeploy(["print"]);
    assertOk(result);
    assert.ok(result.stdout.includes(`${endpoint}/${key}`));
    assert.doesNotMatch(record(), / apply/);
  });

  test("destroy explains deletion protection, and lifts it first only when asked", () => {
    assertOk(runDeploy(["apply"]));
    rmSync(sandbox.record);
    const kept = runDeploy(["destroy"]);
    assertOk(kept);
    assert.match(kept.stderr, /deletion protection on/);
    assert.match(kept.stderr, /TF_VAR_deletion_protection=false make destroy/);
    assert.doesNotMatch(record(), / apply/);
    assert.match(record(), /^ARGV terraform -chdir=\S+ destroy$/m);

    const all = runDeploy(["destroy"], { TF_VAR_deletion_protection: "false" });
    assertOk(all);
    const calls = record()
      .split("\n")
      .filter((line) => line.startsWith("ARGV terraform"));
    const targeted = calls.indexOf(
      calls.find((line) => line.includes(" apply -target=aws_dynamodb_table.this")) ?? "missing",
    );
    assert.ok(targeted >= 0, "the table's deletion protection is switched off first");
    assert.ok(
      calls.slice(targeted).some((line) => line.endsWith(" destroy")),
      "then everything is destroyed",
    );
  });
});

describe("nothing deployed yet", () => {
  const NOTHING_DEPLOYED =
    /^deploy: nothing is deployed yet: the Terraform state in terraform\/ has no (\w+)\. Run `make deploy` first\.$/;

  /** The last line on stderr (the checks before it may print who is deploying). */
  function lastLine(text: string): string {
    return text.trimEnd().split("\n").at(-1) ?? "";
  }

  /** Asserts the run stopped with exit 1, printing nothing, and ending with the message naming the output. */
  function assertNothingDeployed(result: RunResult, output: string): void {
    assert.deepEqual(
      {
        status: result.status,
        stdout: result.stdout,
        missing: NOTHING_DEPLOYED.exec(lastLine(result.stderr))?.[1],
      },
      { status: 1, stdout: "", missing: output },
      result.stderr,
    );
  }

  test("print says so instead of printing terraform's warning as the endpoint", () => {
    assertOk(runDeploy(["keys-digests"]));
    assertNothingDeployed(runDeploy(["print"]), "endpoint_url");
  });

  test("rotate-signing-key says so before running anything against AWS", () => {
    assertNothingDeployed(runDeploy(["rotate-signing-key"]), "table_name");
    assert.doesNotMatch(record(), /^ARGV (?!terraform -chdir=\S+ output -json table_name$)/m);
  });

  for (const command of ["rotate-key", "retire-key"]) {
    test(`${command} says so and leaves the key file alone`, () => {
      // Two keys: rotate-key would add a third, retire-key would drop the older one.
      mkdirSync(sandbox.deployDir, { mode: 0o700 });
      const keys = ["older-key-0123456789-abcdefghijklmnopqrs", "newer-key-0123456789-abcdefghijklmnopqrs"];
      writeFileSync(sandbox.keyFile, `${keys.join("\n")}\n`, { mode: 0o600 });
      assertNothingDeployed(runDeploy([command]), "endpoint_url");
      assert.deepEqual(storedKeys(), keys);
      assert.doesNotMatch(record(), / apply/);
    });
  }

  test("destroy says there is nothing to destroy, and never applies to lift the protection", () => {
    const result = runDeploy(["destroy"], { TF_VAR_deletion_protection: "false" });
    assert.deepEqual(
      { status: result.status, stdout: result.stdout, stderr: lastLine(result.stderr) },
      {
        status: 1,
        stdout: "",
        stderr:
          "deploy: nothing is deployed: the Terraform state in terraform/ holds no resources, so there is nothing to destroy.",
      },
    );
    assert.doesNotMatch(record(), / apply| destroy/);
  });

  test("with the real terraform and an empty state, print and rotate-signing-key say so", () => {
    const real = spawnSync("bash", ["-c", "command -v terraform"], { encoding: "utf8" }).stdout.trim();
    assert.ok(real.startsWith("/"), "terraform is not installed");
    // The real terraform, pointed at a copy of terraform/ that was never applied (the repository's own
    // terraform/ may hold a real deployment's state).
    const emptyDir = join(sandbox.dir, "terraform");
    mkdirSync(emptyDir);
    for (const file of readdirSync(join(repoRoot, "terraform"))) {
      if (file.endsWith(".tf")) copyFileSync(join(repoRoot, "terraform", file), join(emptyDir, file));
    }
    const bin = join(sandbox.dir, "bin-real-terraform");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "terraform"),
      `#!/usr/bin/env bash\nargs=()\nfor arg in "$@"; do case $arg in -chdir=*) args+=("-chdir=${emptyDir}") ;; *) args+=("$arg") ;; esac; done\nexec ${real} "\${args[@]}"\n`,
      { mode: 0o755 },
    );
    assertOk(runDeploy(["keys-digests"]));
    assertNothingDeployed(runDeploy(["print"], {}, bin), "endpoint_url");
    assertNothingDeployed(runDeploy(["rotate-signing-key"], {}, bin), "table_name");
  });
});

describe("failing clearly", () => {
  test("apply without terraform says so", () => {
    const bin = join(sandbox.dir, "bin-without-terraform");
    mkdirSync(bin);
    const result = runDeploy(["apply"], {}, bin);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /terraform is not installed/);
  });

  test("apply without AWS credentials says so", () => {
    const bin = join(sandbox.dir, "bin-without-aws");
    mkdirSync(bin);
    writeFileSync(join(bin, "terraform"), fakeTerraform, { mode: 0o755 });
    // No aws CLI, and no credentials in the environment or in $HOME/.aws (HOME is the sandbox).
    const result = runDeploy(["apply"], {}, bin);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no AWS credentials found/);
    assert.equal(existsSync(sandbox.keyFile), false, "no key is made before the checks pass");
  });

  test("an unknown subcommand prints the usage", () => {
    const result = runDeploy(["deploy"]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^usage: /);
  });
});
