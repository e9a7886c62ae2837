// Pins down how scripts/deploy.sh keeps API keys: a private key file on this machine, and only the
// keys' SHA-256 digests handed to Terraform. Runs the real script against fake `terraform` and `aws`
// commands that record their arguments and environment (./deploy-support.ts), so the tests prove the plain
// key never reaches either, and need no AWS account.
import assert from "node:assert/strict";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  assertNoKeyLeaked,
  assertOk,
  endpoint,
  lastApplyDigests,
  record,
  runDeploy,
  sandbox,
  sha256Hex,
  storedKeys,
} from "./deploy-support.ts";

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
