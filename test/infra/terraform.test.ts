// Runs the offline Terraform checks (fmt, init from a local provider mirror, validate, and
// `terraform test` with a mocked AWS provider) as part of `npm test`. Fails, never skips, when
// terraform or the provider mirror is missing: scripts/terraform-check.sh says which.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";

const repoRoot = resolve(import.meta.dirname, "../..");

// No time limit: the checks are bounded work, and on a loaded machine they took more than the 290 s that
// used to kill them.
test("scripts/terraform-check.sh passes", () => {
  const result = spawnSync("bash", ["scripts/terraform-check.sh"], {
    cwd: repoRoot,
    encoding: "utf8",
    input: "",
  });
  assert.equal(result.status, 0, `terraform-check failed:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /^terraform: fmt ok, validate ok/m);
  assert.match(result.stdout, /^terraform: [1-9]\d* passed, 0 failed$/m);
});
