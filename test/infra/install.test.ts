// Pins down that installing leaves a clone untouched: package-lock.json agrees with package.json (so the
// README's `npm install` rewrites nothing), and .ci/run fails when installing changes the clone anyway.
// The .ci/run tests run the real script in a scratch git repository with a fake npm, so they need no
// network and never touch this checkout's node_modules.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";

const repoRoot = resolve(import.meta.dirname, "../..");

interface Manifest {
  name?: string;
  version?: string;
  license?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(join(repoRoot, path), "utf8"));
}

/** The fields npm copies from package.json into the lockfile's root entry. */
function rootFields(manifest: Manifest): Record<keyof Manifest, unknown> {
  const { name, version, license, engines, dependencies, devDependencies } = manifest;
  return { name, version, license, engines, dependencies, devDependencies };
}

test("package-lock.json's root entry matches package.json, engines included", () => {
  const manifest = readJson("package.json") as Manifest; // our own package.json; compared field by field below
  const lock = readJson("package-lock.json") as { packages: Record<string, Manifest> }; // lockfileVersion 3
  assert.deepEqual(rootFields(lock.packages[""] ?? {}), rootFields(manifest));
  assert.deepEqual(manifest.engines, { node: ">=20.16" });
});

describe(".ci/run", () => {
  // Answers --version, records every other call, and on `install` rewrites the lockfile when asked to.
  const fakeNpm = `#!/usr/bin/env bash
if [[ $1 == --version ]]; then echo 11.0.0; exit 0; fi
printf '%s\\n' "$*" >>"$FAKE_RECORD"
if [[ $1 == install && -n \${FAKE_INSTALL_REWRITES:-} ]]; then printf '{"rewritten":true}\\n' >package-lock.json; fi
exit 0
`;
  let dir: string;
  let clone: string;
  let record: string;
  let bin: string;

  function git(...args: string[]): void {
    const result = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd: clone,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ci-run-"));
    clone = join(dir, "clone");
    record = join(dir, "record.txt");
    bin = join(dir, "bin");
    mkdirSync(join(clone, ".ci"), { recursive: true });
    mkdirSync(bin);
    copyFileSync(join(repoRoot, ".ci/run"), join(clone, ".ci/run"));
    writeFileSync(join(clone, "package.json"), '{"name":"x"}\n');
    writeFileSync(join(clone, "package-lock.json"), '{"name":"x"}\n');
    writeFileSync(join(bin, "npm"), fakeNpm, { mode: 0o755 });
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "clean clone");
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function runCi(extraEnv: Record<string, string> = {}): { status: number | null; stderr: string } {
    const result = spawnSync("bash", [join(clone, ".ci/run")], {
      encoding: "utf8",
      input: "",
      env: {
        ...process.env,
        PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
        HOME: dir,
        GIT_CONFIG_NOSYSTEM: "1",
        FAKE_RECORD: record,
        ...extraEnv,
      },
    });
    return { status: result.status, stderr: result.stderr };
  }

  function npmCalls(): string[] {
    return readFileSync(record, "utf8").trimEnd().split("\n");
  }

  test("fails, naming the file, when installing rewrites a tracked file, and runs no test", () => {
    const result = runCi({ FAKE_INSTALL_REWRITES: "1" });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^installing changed the clone: run npm install and commit the result$/m);
    assert.match(result.stderr, /^ M package-lock\.json$/m);
    assert.deepEqual(npmCalls(), ["ci --no-audit --no-fund", "install --no-audit --no-fund"]);
  });

  test("runs npm test when installing leaves the clone as it was", () => {
    const result = runCi();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(npmCalls(), ["ci --no-audit --no-fund", "install --no-audit --no-fund", "test"]);
  });
});
