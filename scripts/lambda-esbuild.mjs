// The esbuild options of the Lambda bundle, shared by scripts/build.mjs and the benchmark (bench/), so
// that every benchmark subject is bundled exactly like the function we deploy.

/**
 * @param {{ entryPoint: string, outfile: string }} paths
 * @returns {import("esbuild").BuildOptions & { metafile: true }}
 */
export function lambdaBuildOptions({ entryPoint, outfile }) {
  return {
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node22",
    // The AWS SDK still has CommonJS corners that call require() for Node built-ins.
    banner: { js: 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);' },
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  };
}
