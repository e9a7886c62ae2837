// Pins down the Lambda bundle as deployed (scripts/lambda-esbuild.mjs): the OAuth flows (registration, the
// consent page, the token endpoint) and the memory page stay out of INIT: no module of theirs is reachable from
// index.mjs by static imports, each sits in a chunk of its own, and the bundle loaded as Lambda loads it
// answers /register, /authorize, /token and /memories through them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import { loadedWith } from "../bench/subjects.ts";
import { lambdaBuildOptions } from "../scripts/lambda-esbuild.mjs";
import { functionUrlEvent, TEST_API_KEY } from "./fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "./helpers/lambda.ts";

/** The modules only the flows use. */
const FLOW_MODULES = [
  "src/oauth/flows.ts",
  "src/oauth/authorize.ts",
  "src/oauth/token.ts",
  "src/oauth/register.ts",
  "src/oauth/consent-page.ts",
  "src/oauth/clients.ts",
  "src/oauth/client-metadata-document.ts",
  "src/oauth/pkce.ts",
  "src/oauth/redirect-uri.ts",
];

/** The memory page's modules: only ./memory-page.ts, which claims the paths, is loaded at INIT. */
const PAGE_MODULES = [
  "src/web/routes.ts",
  "src/web/session.ts",
  "src/web/views.ts",
  "src/web/layout.ts",
  "src/web/download.ts",
  "src/memory/jsonl.ts",
];
/** Shared by the flows and the page, so in a lazily loaded chunk of their own. */
const SHARED_LAZY_MODULES = ["src/signin/key-guard.ts", "src/signin/html.ts"];

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

test("no module of the memory page is loaded at INIT, nor what it shares with the flows", () => {
  const atInit = loadedAtInit();
  const modules = [...PAGE_MODULES, ...SHARED_LAZY_MODULES];
  assert.deepEqual(
    modules.map((module) => ({ module, atInit: outputsHolding(module).filter((path) => atInit.has(path)) })),
    modules.map((module) => ({ module, atInit: [] })),
  );
  for (const module of modules)
    assert.ok(outputsHolding(module).length > 0, `${module} is not in the bundle`);
  const pageChunks = new Set(PAGE_MODULES.flatMap(outputsHolding));
  assert.equal(pageChunks.size, 1, `the page is spread over ${[...pageChunks].join(", ")}`);
  assert.ok(
    outputsHolding("src/web/memory-page.ts").some((path) => atInit.has(path)),
    "the page's paths are claimed at INIT",
  );
  // Nor does its chunk import any file INIT loads: were it to, esbuild would cut the code it shares with
  // index.mjs into more chunks, and INIT would load more files for the same code (src/web/memory-page.ts).
  const [pageChunk = ""] = pageChunks;
  const imported = (metafile.outputs[pageChunk]?.imports ?? [])
    .filter(({ external }) => external !== true)
    .map(({ path }) => path)
    // esbuild's own helpers (a chunk of no module), which every chunk imports
    .filter((path) => Object.keys(metafile.outputs[path]?.inputs ?? {}).length > 0);
  assert.deepEqual(
    imported.filter((path) => atInit.has(path)),
    [],
  );
});

test("the bundle serves the memory page through its lazy chunk, cookies as payload 2.0 carries them", async () => {
  const page = (cookies?: string[]) =>
    lambda.invoke(
      functionUrlEvent({
        method: "GET",
        path: "/memories",
        anonymous: true,
        ...(cookies ? { cookies } : {}),
      }),
    );
  const form = await page();
  assert.equal(form.status, 200, form.body);
  assert.match(form.headers["content-type"] ?? "", /^text\/html/);
  assert.equal(form.headers["set-cookie"], undefined, "cookies go in the answer's `cookies`, not a header");
  const signInCookie = form.cookies?.[0]?.split(";", 1)[0] ?? "";
  assert.match(signInCookie, /^__Host-memories-sign-in=/);
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
  const signedIn = await lambda.invoke(
    functionUrlEvent({
      path: "/memories/sign-in",
      anonymous: true,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      cookies: [signInCookie],
      body: new URLSearchParams({ csrf, api_key: TEST_API_KEY }).toString(),
    }),
  );
  assert.equal(signedIn.status, 303, signedIn.body);
  const session = signedIn.cookies?.[0]?.split(";", 1)[0] ?? "";
  assert.match(session, /^__Host-memories-session=/);
  const list = await page(["unrelated=1", session]);
  assert.match(list.body, /<h1>Your memories<\/h1>/);
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
