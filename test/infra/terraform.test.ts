// Runs the offline Terraform checks (fmt, init from a local provider mirror, validate, and
// `terraform test` with a mocked AWS provider) as part of `npm test`. Fails, never skips, when
// terraform or the provider mirror is missing: scripts/terraform-check.sh says which.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";

const repoRoot = resolve(import.meta.dirname, "../..");

test("scripts/terraform-check.sh passes", { timeout: 300_000 }, () => {
  const result = spawnSync("bash", ["scripts/terraform-check.sh"], {
    cwd: repoRoot,
    encoding: "utf8",
    input: "",
    timeout: 290_000,
  });
  assert.equal(result.status, 0, `terraform-check failed:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /^terraform: fmt ok, validate ok/m);
  assert.match(result.stdout, /^terraform: [1-9]\d* passed, 0 failed$/m);
});
