// Runs every test/**/*.test.ts with node's own test runner through tsx (Node 20 has no test globs), or
// the files and directories named. Extra arguments are passed to node --test, e.g. --test-name-pattern=cursor.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "fixtures" ? [] : find(path);
    return entry.name.endsWith(".test.ts") ? [relative(process.cwd(), path)] : [];
  });
}

const only = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const flags = process.argv.slice(2).filter((arg) => arg.startsWith("--"));
// A directory argument (e.g. test/oauth/) stands for every test file under it.
const files = (only.length > 0 ? only : ["test"]).flatMap((arg) =>
  statSync(arg).isDirectory() ? find(arg).sort() : [arg],
);
if (files.length === 0) {
  console.error("no test files found under test/");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...flags, ...files],
  {
    stdio: "inherit",
    // The SDK warns once per process that it will drop Node 20 in 2027; Lambda runs nodejs22.x.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...process.env },
  },
);
process.exit(result.status ?? 1);
