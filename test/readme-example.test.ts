// Pins down that README.md's "Add your own tool" example is right: its schema, handler and registry line,
// applied to a copy of the project's src/ and schemas/ (under dist/, which git ignores), pass the schema
// compiler and the project's own type check with the project's own tsconfig settings.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

interface Step {
  /** The file the step names, e.g. `schemas/count_memories.json`. */
  path: string;
  code: string;
}

/** Each numbered step of the section: the path in backticks it opens with, and the code block under it. */
function readmeSteps(): Step[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = /^## Add your own tool\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  assert.ok(section !== undefined, 'README.md has no "## Add your own tool" section');
  const steps = [...section.matchAll(/^\d+\. `([^`]+)`[\s\S]*?^( *)```\w+\n([\s\S]*?)^\2```$/gm)];
  return steps.map(([, path = "", indent = "", code = ""]) => ({
    path,
    code: code.replace(new RegExp(`^${indent}`, "gm"), ""),
  }));
}

/** The registry step: its import lines join the imports, its other lines end the `tools` array. */
function register(index: string, code: string): string {
  const lines = code.trimEnd().split("\n");
  const imports = lines.filter((line) => line.startsWith("import "));
  const entries = lines.filter((line) => !line.startsWith("import ") && line.trim() !== "");
  const lastImport = index.lastIndexOf("\nimport ");
  const afterImports = index.indexOf("\n", index.indexOf(";", lastImport)) + 1;
  const arrayEnd = index.lastIndexOf("];");
  assert.ok(lastImport >= 0 && arrayEnd > afterImports, "src/tools/index.ts: no imports or tools array");
  return (
    index.slice(0, afterImports) +
    imports.map((line) => `${line}\n`).join("") +
    index.slice(afterImports, arrayEnd) +
    entries.map((line) => `  ${line.trim()}\n`).join("") +
    index.slice(arrayEnd)
  );
}

let copy: string;
before(() => {
  mkdirSync(join(root, "dist"), { recursive: true });
  copy = mkdtempSync(join(root, "dist", "readme-example-"));
});
after(() => {
  rmSync(copy, { recursive: true, force: true });
});

test("the README's add-a-tool example compiles against the real code", () => {
  const steps = readmeSteps();
  assert.deepEqual(
    steps.map((step) => step.path),
    ["schemas/count_memories.json", "src/tools/count_memories.ts", "src/tools/index.ts"],
  );
  for (const folder of ["src", "schemas", "scripts"]) {
    cpSync(join(root, folder), join(copy, folder), {
      recursive: true,
      filter: (source) => !source.includes(`${join(root, "src", "generated")}`),
    });
  }
  for (const { path, code } of steps) {
    const target = join(copy, path);
    const current = path.endsWith("index.ts") ? readFileSync(target, "utf8") : undefined;
    writeFileSync(target, current === undefined ? code : register(current, code));
  }
  const tsconfig = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8"));
  // src/local/ uses dynalite, whose types the project declares among the test helpers.
  const dynaliteTypes = relative(copy, join(root, "test", "helpers", "dynalite-module.d.ts"));
  writeFileSync(
    join(copy, "tsconfig.json"),
    JSON.stringify({ ...tsconfig, include: ["src", dynaliteTypes] }),
  );

  const compiled = execFileSync(process.execPath, [join(copy, "scripts", "compile-schemas.mjs")], {
    encoding: "utf8",
  });
  assert.match(compiled, /\bcount_memories\b/);
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  // The type check's diagnostics are the assertion message: they say what in the example is wrong.
  try {
    execFileSync(process.execPath, [tsc, "-p", copy], { encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string }; // execFileSync's error
    assert.fail(`the README example does not type-check:\n${stdout}${stderr}`);
  }
});
