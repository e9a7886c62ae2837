// The benchmark subjects and their bundles: every subject is bundled by esbuild with the Lambda's own options
// (scripts/lambda-esbuild.mjs), and each bundle is weighed raw, gzipped and without the AWS SDK.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { lambdaBuildOptions } from "../scripts/lambda-esbuild.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export type SubjectId = "sdk-v1" | "sdk-v2" | "floor" | "floor-init" | "ours";

export interface Subject {
  /** A SubjectId, or the name of an --extra bundle. */
  id: string;
  title: string;
  description: string;
  /** Answers as an MCP server (the floors only make the DynamoDB calls). */
  fullMcp: boolean;
}

export const SUBJECTS: readonly (Subject & { id: SubjectId })[] = [
  {
    id: "sdk-v1",
    title: "SDK v1 + Express + serverless-http",
    description:
      "@modelcontextprotocol/sdk McpServer + StreamableHTTPServerTransport (stateless, JSON responses) in Express 5 behind serverless-http (with the usual fix that fills req.rawHeaders); our six tools with zod input schemas, our handlers and store",
    fullMcp: true,
  },
  {
    id: "sdk-v2",
    title: "SDK v2 createMcpHandler",
    description:
      "@modelcontextprotocol/server createMcpHandler (responseMode json; 2025-era requests take its stateless legacy leg, which answers as SSE) behind a Request/Response adapter; the same tools as sdk-v1",
    fullMcp: true,
  },
  {
    id: "floor",
    title: "floor",
    description:
      "no MCP layer: JSON.parse, fixed answers, the one DynamoDB call per tool call (TransactWriteItems, Query)",
    fullMcp: false,
  },
  {
    id: "floor-init",
    title: "floor, INIT-optimised",
    description:
      "the floor with its one-time work done in INIT as ours does it: its handler once, the same read-only DynamoDB calls, and its create and search through the same DynamoDB dry run",
    fullMcp: false,
  },
  {
    id: "ours",
    title: "memory-mcp-lambda",
    description:
      "the real dist/lambda bundle, whose INIT warm-up (src/coldstart/warm-up.ts) sends initialize, tools/list, a list and a get through the app for real, then a create and a search through a DynamoDB dry run",
    fullMcp: true,
  },
];

/**
 * The files loaded at INIT: the bundle and the chunks it imports statically (all of it for a one-file bundle).
 * A split build (scripts/lambda-esbuild.mjs with outdir) also has chunks that only a dynamic import loads, on
 * first use: those are `lazy`.
 */
export interface BundleSize {
  rawBytes: number;
  /** Of the INIT files concatenated. */
  gzipBytes: number;
  /** Output bytes esbuild attributes to the AWS SDK (see awsSdkPackages). */
  awsSdkBytes: number;
  /** rawBytes - awsSdkBytes: our code, the MCP layer, the schemas, everything else (banners included). */
  withoutAwsSdkBytes: number;
  /** The chunks loaded only by a dynamic import; absent (results before 2026-11-22's second pass) means none. */
  lazy?: { rawBytes: number; awsSdkBytes: number; withoutAwsSdkBytes: number };
}

export interface BuiltSubject extends Subject {
  bundle: string;
  size: BundleSize;
}

export interface LambdaBundle {
  bundle: string;
  meta: string;
}

/**
 * Another build of ours to compare in the same interleaved run (`--extra name=path/to/index.mjs`), e.g. a
 * candidate change; its esbuild metafile is read from meta.json beside the bundle.
 */
export function extraSubject(spec: string): BuiltSubject {
  const [id = "", path = ""] = spec.split("=");
  if (id === "" || path === "") throw new Error(`--extra wants name=path/to/index.mjs, got ${spec}`);
  const meta = JSON.parse(readFileSync(join(dirname(path), "meta.json"), "utf8")) as Metafile;
  return {
    id,
    title: id,
    description: `an extra build of ours (${path})`,
    fullMcp: true,
    bundle: path,
    size: weigh(path, meta),
  };
}

/** Bundles the benchmark subjects into outDir; "ours" is the given Lambda bundle, as built by `npm run build`. */
export async function buildSubjects(
  outDir: string,
  lambda: LambdaBundle,
  only: readonly string[] = SUBJECTS.map((subject) => subject.id),
): Promise<BuiltSubject[]> {
  const built: BuiltSubject[] = [];
  for (const subject of SUBJECTS.filter((candidate) => only.includes(candidate.id))) {
    if (subject.id === "ours") {
      if (!existsSync(lambda.bundle)) throw new Error(`${lambda.bundle} is missing: run npm run build first`);
      const meta = JSON.parse(readFileSync(lambda.meta, "utf8")) as Metafile;
      built.push({ ...subject, bundle: lambda.bundle, size: weigh(lambda.bundle, meta) });
      continue;
    }
    // Split like the Lambda (outdir), so that no subject parses chunks at INIT that another leaves for later.
    const dir = join(outDir, subject.id);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const result = await build(
      lambdaBuildOptions({ entryPoint: join(ROOT, "bench", "subjects", `${subject.id}.ts`), outdir: dir }),
    );
    const bundle = join(dir, "index.mjs");
    built.push({ ...subject, bundle, size: weigh(bundle, result.metafile) });
  }
  return built;
}

/** Builds the Lambda exactly as scripts/build.mjs does, into outDir (for runs that must not touch dist/). */
export async function buildLambda(outDir: string): Promise<LambdaBundle> {
  const dir = join(outDir, "lambda");
  rmSync(dir, { recursive: true, force: true }); // no stale chunks of an earlier build
  mkdirSync(dir, { recursive: true });
  const result = await build(lambdaBuildOptions({ entryPoint: join(ROOT, "src", "lambda.ts"), outdir: dir }));
  const outfile = join(dir, "index.mjs");
  const meta = join(dir, "meta.json");
  writeFileSync(meta, JSON.stringify(result.metafile));
  return { bundle: outfile, meta };
}

function weigh(bundle: string, meta: Metafile): BundleSize {
  // Output paths are relative to where esbuild ran; the files sit beside the bundle.
  const fileOf = (output: string): string => join(dirname(bundle), basename(output));
  const outputs = Object.keys(meta.outputs).filter((output) => !output.endsWith(".map"));
  const entry = outputs.find(
    (output) => basename(output) === basename(bundle) && meta.outputs[output]?.entryPoint !== undefined,
  );
  if (entry === undefined) throw new Error(`no output for ${bundle} in its metafile`);
  const atInit = loadedWith(meta, entry);
  const sdk = awsSdkPackages();
  const measure = (files: string[]): { rawBytes: number; awsSdkBytes: number; contents: Buffer[] } => {
    const contents = files.map((output) => readFileSync(fileOf(output)));
    let awsSdkBytes = 0;
    for (const output of files) {
      for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[output]?.inputs ?? {})) {
        const pkg = packageOf(input);
        if (pkg !== undefined && sdk.has(pkg)) awsSdkBytes += bytesInOutput;
      }
    }
    return { rawBytes: contents.reduce((sum, bytes) => sum + bytes.length, 0), awsSdkBytes, contents };
  };
  const init = measure([...atInit]);
  const lazyFiles = outputs.filter((output) => !atInit.has(output));
  const lazy = measure(lazyFiles);
  return {
    rawBytes: init.rawBytes,
    gzipBytes: gzipSync(Buffer.concat(init.contents), { level: 9 }).length,
    awsSdkBytes: init.awsSdkBytes,
    withoutAwsSdkBytes: init.rawBytes - init.awsSdkBytes,
    ...(lazyFiles.length === 0
      ? {}
      : {
          lazy: {
            rawBytes: lazy.rawBytes,
            awsSdkBytes: lazy.awsSdkBytes,
            withoutAwsSdkBytes: lazy.rawBytes - lazy.awsSdkBytes,
          },
        }),
  };
}

/** "node_modules/a/node_modules/@b/c/x.js" -> "node_modules/a/node_modules/@b/c" (the package directory). */
function packageOf(input: string): string | undefined {
  const at = input.lastIndexOf("node_modules/");
  if (at < 0) return undefined;
  const rest = input.slice(at + "node_modules/".length).split("/");
  const name = rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  // Inputs are relative to the directory esbuild ran in: "../../node_modules/x" from a subdirectory.
  return `${input.slice(0, at)}node_modules/${name}`.replace(/^(\.\.\/)+/, "");
}

let sdkPackages: Set<string> | undefined;

/**
 * "The AWS SDK": @aws-sdk/client-dynamodb and the closure of its dependencies as installed (the @aws-sdk/*,
 * @smithy/* and @aws/* packages, and third-party ones such as bowser, mnemonist, obliterator and tslib
 * that are only there for it), as package directories relative to the repository root.
 */
export function awsSdkPackages(): Set<string> {
  if (sdkPackages !== undefined) return sdkPackages;
  const found = new Set<string>();
  const visit = (dir: string): void => {
    if (found.has(dir)) return;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      const resolved = resolvePackage(dir, dependency);
      if (resolved !== undefined) visit(resolved);
    }
  };
  visit("node_modules/@aws-sdk/client-dynamodb");
  sdkPackages = found;
  return found;
}

/** Node's lookup: <dir>/node_modules/<name>, then each enclosing node_modules up to the root. */
function resolvePackage(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (existsSync(join(ROOT, candidate, "package.json"))) return candidate;
    if (dir === "") return undefined;
    const at = dir.lastIndexOf("node_modules/");
    dir = at <= 0 ? "" : dir.slice(0, at - 1);
  }
}

/**
 * The outputs loaded with `entry` (an output path of `meta`): it and, transitively, the chunks it imports
 * statically; a chunk only a dynamic import reaches is not among them.
 */
export function loadedWith(meta: Metafile, entry: string): Set<string> {
  const loaded = new Set<string>();
  const visit = (output: string): void => {
    if (loaded.has(output)) return;
    loaded.add(output);
    for (const { path, kind } of meta.outputs[output]?.imports ?? []) {
      if (kind === "import-statement" && meta.outputs[path] !== undefined) visit(path);
    }
  };
  visit(entry);
  return loaded;
}
