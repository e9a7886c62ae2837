// Pins down the Lambda bundle as deployed (scripts/lambda-esbuild.mjs): the OAuth flows (registration, the
// consent page, the token endpoint) stay out of INIT: no module of theirs is reachable from index.mjs by static imports, they sit in one chunk of their own,
// and the bundle loaded as Lambda loads it answers /register, /authorize and /token through it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import { loadedWith } from "../bench/subjects.ts";
import { lambdaBuildOptions } from "../scripts/lambda-esbuild.mjs";
import { functionUrlEvent } from "./fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "./helpers/lambda.ts";

/** The modules only the flows use. */
const FLOW_MODULES = [
  "src/oauth/flows.ts",
  "src/oauth/authorize.ts",
  "src/oauth/token.ts",
  "src/oauth/register.ts",
  "src/oauth/consent-page.ts",
  "src/oauth/consent-guard.ts",
  "src/oauth/clients.ts",
  "src/oauth/client-metadata-document.ts",
  "src/oauth/pkce.ts",
  "src/oauth/redirect-uri.ts",
];

let outdir: string;
let metafile: Metafile;
let lambda: LambdaUnderTest;
before(async () => {
  outdir = mkdtempSync(join(tmpdir(), "lambda-bundle-"));
  const root = new URL("../", import.meta.url).pathname;
  const result = await build(lambdaBuildOptions({ entryPoint: join(root, "src", "lambda.ts"), outdir }));
  metafile = result.metafile;
  lambda = await loadLambda({}, pathToFileURL(join(outdir, "index.mjs")).href);
});
after(async () => {
  await lambda.stop();
  rmSync(outdir, { recursive: true, force: true });
});

/** Output files (relative to the working directory, as esbuild names them) loaded with index.mjs at INIT. */
function loadedAtInit(): Set<string> {
  const entry = Object.keys(metafile.outputs).find((path) => path.endsWith("/index.mjs"));
  assert.ok(entry !== undefined, "no index.mjs among the outputs");
  return loadedWith(metafile, entry);
}

/** The output files that hold some of a source module's code. */
function outputsHolding(module: string): string[] {
  return Object.entries(metafile.outputs)
    .filter(([, output]) => (output.inputs[module]?.bytesInOutput ?? 0) > 0)
    .map(([path]) => path);
}

test("no module of the flows is loaded at INIT; they share one lazily loaded chunk", () => {
  const atInit = loadedAtInit();
  const homes = FLOW_MODULES.map((module) => {
    const outputs = outputsHolding(module);
    return { module, outputs, atInit: outputs.filter((path) => atInit.has(path)) };
  });
  assert.deepEqual(
    homes.map(({ module, atInit }) => ({ module, atInit })),
    FLOW_MODULES.map((module) => ({ module, atInit: [] })),
  );
  const chunks = new Set(homes.flatMap(({ outputs }) => outputs));
  assert.equal(chunks.size, 1, `the flows are spread over ${[...chunks].join(", ")}`);
  // And the routes that every MCP request needs are loaded at INIT.
  for (const module of [
    "src/oauth/oauth.ts",
    "src/oauth/access-token.ts",
    "src/protocol/http.ts",
    "src/protocol/mcp.ts",
  ]) {
    assert.ok(
      outputsHolding(module).some((path) => atInit.has(path)),
      `${module} is not loaded at INIT`,
    );
  }
});

test("the bundle answers the flows through the lazy chunk: register, authorize, token", async () => {
  const registered = await lambda.invoke(
    functionUrlEvent({
      path: "/register",
      anonymous: true,
      body: {
        client_name: "Lazy Client",
        redirect_uris: ["https://client.example/callback"],
        token_endpoint_auth_method: "none",
      },
    }),
  );
  assert.equal(registered.status, 201, registered.body);
  const clientId = (registered.json as { client_id?: unknown }).client_id;
  assert.equal(typeof clientId, "string");

  // A redirect URI the client did not register: never redirected to, so the error page (the consent page's
  // module) says so.
  const authorize = await lambda.invoke(
    functionUrlEvent({
      method: "GET",
      path: "/authorize",
      anonymous: true,
      rawQueryString: new URLSearchParams({
        response_type: "code",
        client_id: String(clientId),
        redirect_uri: "https://elsewhere.example/callback",
      }).toString(),
    }),
  );
  assert.equal(authorize.status, 400, authorize.body);
  assert.match(authorize.headers["content-type"] ?? "", /^text\/html/);

  const token = await lambda.invoke(
    functionUrlEvent({
      path: "/token",
      anonymous: true,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: "no-such-code",
        client_id: String(clientId),
        redirect_uri: "https://client.example/callback",
        code_verifier: "a".repeat(43),
      }).toString(),
    }),
  );
  assert.equal(token.status, 400, token.body);
  assert.equal((token.json as { error?: unknown }).error, "invalid_grant");
});
