// Pins down what scripts/deploy.sh says when there is nothing to work on: no deployment yet (print,
// rotate-signing-key and destroy say so instead of running against AWS), no terraform, no AWS credentials,
// an unknown subcommand. Same sandbox and fake commands as ./deploy-keys.test.ts (./deploy-support.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

import {
  assertOk,
  fakeTerraform,
  type RunResult,
  record,
  repoRoot,
  runDeploy,
  sandbox,
  storedKeys,
} from "./deploy-support.ts";

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
