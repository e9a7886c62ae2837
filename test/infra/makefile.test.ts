// Pins down the Makefile's front door: `make` alone prints help listing every target, and no target
// reinstalls dependencies unless node_modules is missing or older than package-lock.json. Runs the real
// make on a copy of the Makefile in a scratch directory, with `-n` wherever a target would run something.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";

const repoRoot = resolve(import.meta.dirname, "../..");
const makefile = readFileSync(join(repoRoot, "Makefile"), "utf8");
const targets = (/^\.PHONY: (.+)$/m.exec(makefile)?.[1] ?? "").split(" ");
const INSTALL = "npm ci --no-audit --no-fund";
const STAMP = "node_modules/.package-lock.json";
const LOCK_TIME = new Date("2026-01-01T00:00:00Z");

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "makefile-"));
  copyFileSync(join(repoRoot, "Makefile"), join(dir, "Makefile"));
  writeFileSync(join(dir, "package-lock.json"), "{}\n");
  utimesSync(join(dir, "package-lock.json"), LOCK_TIME, LOCK_TIME);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Makes node_modules as an install leaves it, `offsetMs` after the lockfile was written. */
function installed(offsetMs: number): void {
  mkdirSync(join(dir, "node_modules"));
  writeFileSync(join(dir, STAMP), "{}\n");
  const time = new Date(LOCK_TIME.getTime() + offsetMs);
  utimesSync(join(dir, STAMP), time, time);
}

function make(...args: string[]): { status: number | null; lines: string[] } {
  const result = spawnSync("make", ["--no-print-directory", ...args], { cwd: dir, encoding: "utf8" });
  return { status: result.status, lines: result.stdout.split("\n").filter((line) => line !== "") };
}

test("the targets a newcomer guesses are all there", () => {
  for (const target of ["help", "install", "dev", "build", "test", "check", "bench", "deploy"]) {
    assert.ok(targets.includes(target), target);
  }
});

test("make alone prints help: every target once, each with what it does, and runs nothing", () => {
  const { status, lines } = make();
  assert.equal(status, 0);
  assert.equal(lines[0], "make <target>, one of:");
  const listed = lines.slice(1).map((line) => /^ {2}([a-z-]+) +(\S.*)$/.exec(line));
  assert.deepEqual(
    listed.map((match) => match?.[1]),
    targets,
  );
  for (const match of listed) assert.ok((match?.[2] ?? "").length > 10, `${match?.[1]} has no description`);
  assert.deepEqual(
    make("-n").lines.filter((line) => line.startsWith("npm")),
    [],
  );
});

describe("dev installs only when it must", () => {
  test("node_modules missing: install, then start", () => {
    assert.deepEqual(make("-n", "dev").lines, [INSTALL, `touch ${STAMP}`, "npm start"]);
  });

  test("node_modules older than package-lock.json: install, then start", () => {
    installed(-1000);
    assert.deepEqual(make("-n", "dev").lines, [INSTALL, `touch ${STAMP}`, "npm start"]);
  });

  test("node_modules newer than package-lock.json: start only", () => {
    installed(1000);
    assert.deepEqual(make("-n", "dev").lines, ["npm start"]);
  });
});

test("with node_modules up to date, no target installs anything", () => {
  installed(1000);
  for (const target of targets) {
    const { status, lines } = make("-n", target);
    assert.equal(status, 0, target);
    assert.deepEqual(
      lines.filter((line) => /\bnpm (ci|install|i)\b/.test(line)),
      [],
      `make ${target} would reinstall`,
    );
  }
  assert.deepEqual(make("-n", "install").lines, ["make: Nothing to be done for 'install'."]);
});
