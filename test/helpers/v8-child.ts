// Runs a short ES module in a child node with V8 flags and returns what it printed, for tests that ask V8
// itself (%DebugPrint, --trace-gc). Into a file, not a pipe: V8 prints from C++, and what it buffers for a
// pipe may be lost when the process exits.
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `source` runs through tsx, so it may import src/*.ts modules by file URL. */
export function runWithV8Flags(flags: readonly string[], source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "v8-child-"));
  const file = join(dir, "stdout.txt");
  const stdout = openSync(file, "w");
  try {
    execFileSync(process.execPath, [...flags, "--import", "tsx", "--input-type=module", "--eval", source], {
      stdio: ["ignore", stdout, "inherit"],
    });
    return readFileSync(file, "utf8");
  } finally {
    closeSync(stdout);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An import statement for a module of src/, by file URL, for `source`. */
export function importFromSrc(names: string, file: string): string {
  return `import { ${names} } from ${JSON.stringify(new URL(`../../src/${file}`, import.meta.url).href)};\n`;
}
