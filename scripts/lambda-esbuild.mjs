// The esbuild options of the Lambda bundle, shared by scripts/build.mjs and the benchmark (bench/), so
// that every benchmark subject is bundled exactly like the function we deploy.
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/**
 * `outfile` gives one file, with every dynamic import inlined (V8 still parses it all at INIT); `outdir`
 * splits: index.mjs (the handler), the chunks it imports statically (loaded at INIT), and a chunk per dynamic
 * import, loaded on first use. The Lambda is built with `outdir`: the AWS SDK's two dynamic imports, a
 * browser user-agent parser (bowser) and event-stream support, which a DynamoDB client on Node never
 * loads, then cost no INIT parsing (docs/benchmarks/README.md, second pass).
 * @param {{ entryPoint: string, outfile: string } | { entryPoint: string, outdir: string }} paths
 * @returns {import("esbuild").BuildOptions & { metafile: true }}
 */
export function lambdaBuildOptions(paths) {
  const output =
    "outdir" in paths
      ? {
          outdir: paths.outdir,
          splitting: true,
          entryNames: "index",
          chunkNames: "[name]-[hash]",
          outExtension: { ".js": ".mjs" },
        }
      : { outfile: paths.outfile };
  return {
    entryPoints: [paths.entryPoint],
    ...output,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node22",
    // The AWS SDK still has CommonJS corners that call require() for Node built-ins.
    banner: { js: 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);' },
    // src/app.ts: the version alone, rather than the whole package.json in the bundle.
    define: { PACKAGE_VERSION: JSON.stringify(version) },
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  };
}
