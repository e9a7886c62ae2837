// Secrets and browser exposure: the API key check is constant-time over equal-length digests and compares
// every accepted digest (read in the code, and watched at run time); no log line or process output holds a
// key (right or wrong), a digest or a memory's content, even when the configuration is wrong; and no
// answer carries CORS headers, a preflight included, from the Lambda handler or the local server, with the
// Function URL declaring no CORS of its own (terraform/main.tf).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, mock, test } from "node:test";
import { createApp } from "../../src/app.ts";
import { startLocalServer } from "../../src/local/server.ts";
import type { MemoryStore } from "../../src/memory/memory-store.ts";
import { keyMatches, parseKeyDigests, sha256Hex } from "../../src/protocol/auth.ts";
import { createLogger } from "../../src/protocol/log.ts";
import {
  type EventOptions,
  functionUrlEvent,
  ROTATED_API_KEY,
  TEST_API_KEY,
  UNAUTHORIZED_MESSAGE,
} from "../fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "../helpers/lambda.ts";
import {
  assertLogLines,
  assertNothingSecret,
  type CapturedOutput,
  captureProcessOutput,
  SECRET_DIGESTS,
} from "./support.ts";

const root = new URL("../../", import.meta.url);
const source = (path: string): string => readFileSync(new URL(path, root), "utf8");

describe("the key check is constant-time", () => {
  test("in the code: SHA-256 of the key, timingSafeEqual against every digest, no early exit", () => {
    const auth = source("src/protocol/auth.ts");
    assert.match(auth, /import \{[^}]*\btimingSafeEqual\b[^}]*\} from "node:crypto"/);
    // keyMatches is matchingDigest's answer; matchingDigest holds the comparison.
    assert.match(
      auth,
      /export function keyMatches\([^)]*\): boolean \{\n {2}return matchingDigest\(key, digests\) !== undefined;\n\}/,
    );
    const body = /export function matchingDigest\([^)]*\): string \| undefined \{([\s\S]*?)\n\}/.exec(
      auth,
    )?.[1];
    assert.ok(body, "matchingDigest is found");
    // The candidate is a digest (32 bytes, whatever the key's length), never the key itself.
    assert.match(body, /const candidate = hash\("sha256", key, "buffer"\);/);
    const loop = /for \(const digest of digests\) \{([\s\S]*?)\}/.exec(body)?.[1];
    assert.ok(loop, "one loop over all digests");
    assert.match(loop, /timingSafeEqual\(candidate, digest\)/);
    assert.doesNotMatch(loop, /\breturn\b|\bbreak\b/, "the loop never stops at the first match");
    assert.doesNotMatch(body, /===|!==|==|\.some\(|\.find\(|\.includes\(|\.indexOf\(|\.equals\(/);
    // What it returns is the matched digest's own bytes, read after the loop, not an early answer.
    assert.match(body, /return matched\?\.toString\("hex"\);$/);
    // Only 64 lowercase hex digits become digests, so every comparison is between two 32-byte buffers.
    assert.match(auth, /const DIGEST = \/\^\[0-9a-f\]\{64\}\$\/;/);
  });

  test("every module that checks an API key goes through keyMatches or matchingDigest", () => {
    for (const path of ["src/protocol/http.ts", "src/oauth/authorize.ts"]) {
      const text = source(path);
      assert.match(text, /keyMatches\(|matchingDigest\(/, path);
      assert.doesNotMatch(
        text,
        /sha256Hex\([^)]*\)\s*===|===\s*sha256Hex\(/,
        `${path} compares digests with ===`,
      );
    }
  });

  test("at run time: each check compares all digests, 32 bytes against 32 bytes, whatever the key", () => {
    const parsed = parseKeyDigests(
      [TEST_API_KEY, ROTATED_API_KEY, "third-key-for-rotation-0000000000"].map(sha256Hex).join(","),
    );
    assert.ok(parsed.ok);
    // The default export is node:crypto's mutable module object; syncing makes src/protocol/auth.ts's named import
    // of timingSafeEqual see the spy.
    const spy = mock.method(crypto, "timingSafeEqual");
    syncBuiltinESMExports();
    try {
      for (const [key, expected] of [
        [TEST_API_KEY, true], // matches the first digest: the other two are still compared
        [ROTATED_API_KEY, true],
        ["", false],
        ["x", false],
        [TEST_API_KEY.slice(0, -1), false],
        ["k".repeat(10_000), false],
      ] as const) {
        spy.mock.resetCalls();
        assert.equal(keyMatches(key, parsed.digests), expected, key.slice(0, 20));
        assert.equal(spy.mock.callCount(), 3, `all digests compared for ${key.slice(0, 20)}`);
        for (const call of spy.mock.calls) {
          const [a, b] = call.arguments as [Buffer, Buffer];
          assert.deepEqual([a.length, b.length], [32, 32]);
        }
      }
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
  });

  test("a malformed MCP_API_KEY_SHA256 (say, the plain key by mistake) accepts nothing and never echoes it", async () => {
    const lines: string[] = [];
    const store = {} as MemoryStore; // never reached: every request fails the key check first
    for (const configured of [
      TEST_API_KEY,
      `${SECRET_DIGESTS[0]},${TEST_API_KEY}`,
      SECRET_DIGESTS[0]?.toUpperCase(),
    ]) {
      const app = createApp({
        env: { MCP_API_KEY_SHA256: configured },
        store,
        defaultOrigins: [],
        logger: createLogger((line) => lines.push(line)),
      });
      for (const key of [TEST_API_KEY, configured ?? ""]) {
        const answer = await app({
          method: "POST",
          path: "/mcp",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
        });
        assert.equal(answer.status, 401, configured);
      }
    }
    assert.ok(
      lines.some((line) => line.includes('"level":"warn"')),
      "the misconfiguration is reported",
    );
    assertNothingSecret(lines.join("\n"), [], "the warnings");
  });
});

describe("no secret or content in any output", () => {
  let lambda: LambdaUnderTest;
  let output: CapturedOutput;
  before(async () => {
    lambda = await loadLambda();
    output = captureProcessOutput();
  });
  after(async () => {
    output.restore();
    await lambda.stop();
  });

  test("keys in every position, right and wrong, and tool calls with content: none of it is logged", async () => {
    const wrongKeys = ["wrong-key-7f3a9c1e5b2d4f6a8c0e", `${TEST_API_KEY}-typo`];
    const content = "Secret-ish memory: the safe code is 4711 and Ada's allergist is Dr Okafor";
    const query = "what is the safe code";
    const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
    const call = (name: string, args: unknown) => ({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name, arguments: args },
    });
    const events = [
      functionUrlEvent({ body: ping }),
      functionUrlEvent({ anonymous: true, headers: { "x-api-key": TEST_API_KEY }, body: ping }),
      functionUrlEvent({ anonymous: true, path: `/mcp/${TEST_API_KEY}`, body: ping }),
      functionUrlEvent({ headers: { authorization: `Bearer ${ROTATED_API_KEY}` }, body: ping }),
      ...wrongKeys.flatMap((key) => [
        functionUrlEvent({ headers: { authorization: `Bearer ${key}` }, body: ping }),
        functionUrlEvent({ anonymous: true, path: `/mcp/${key}`, body: ping }),
        functionUrlEvent({ anonymous: true, headers: { "x-api-key": key }, body: ping }),
      ]),
      functionUrlEvent({ anonymous: true, rawQueryString: `key=${TEST_API_KEY}`, body: ping }),
      functionUrlEvent({ body: call("create_memory", { content, tags: ["private"] }) }),
      functionUrlEvent({ body: call("search_memories", { query }) }),
      functionUrlEvent({
        body: call("create_memory", { content: `${content} but too long ${"x".repeat(10_000)}` }),
      }),
      functionUrlEvent({ body: call("list_memories", {}) }),
      // A client-chosen method name is the one free text a log line takes from the body: it is cut short.
      functionUrlEvent({ body: { jsonrpc: "2.0", id: 3, method: `${"m".repeat(200)} ${content}` } }),
    ];
    for (const event of events) await lambda.invoke(event);
    const logs = lambda.takeLogs();
    assert.equal(logs.length, events.length, "one line a request");
    assertLogLines(logs);
    assertNothingSecret(logs.join("\n"), [content, query, "4711", "Okafor", ...wrongKeys], "the request log");
    assertNothingSecret(output.text(), [content, query, ...wrongKeys], "stdout and stderr");
  });
});

describe("the 401 says where the key comes from, and nothing secret", () => {
  test("a wrong key in every position, and the right one where it is never read, get the same answer", async () => {
    const lambda = await loadLambda();
    try {
      const wrongKey = `${TEST_API_KEY.slice(0, -4)}oops`;
      const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
      for (const options of [
        { anonymous: true, body: ping },
        { headers: { authorization: `Bearer ${wrongKey}` }, body: ping },
        { anonymous: true, headers: { "x-api-key": wrongKey }, body: ping },
        { anonymous: true, path: `/mcp/${wrongKey}`, body: ping },
        { anonymous: true, rawQueryString: `key=${TEST_API_KEY}`, body: ping },
      ] satisfies EventOptions[]) {
        const { status, headers, json } = await lambda.invoke(functionUrlEvent(options));
        assert.deepEqual(
          { status, json },
          {
            status: 401,
            json: { jsonrpc: "2.0", id: null, error: { code: -32001, message: UNAUTHORIZED_MESSAGE } },
          },
        );
        const answer = JSON.stringify({ headers, json });
        assertNothingSecret(answer, [wrongKey, ROTATED_API_KEY], "the 401");
      }
    } finally {
      await lambda.stop();
    }
  });
});

describe("no CORS (server-to-server only)", () => {
  const requests: [string, EventOptions][] = [
    [
      "a preflight from claude.ai",
      {
        method: "OPTIONS",
        anonymous: true,
        headers: {
          origin: "https://claude.ai",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      },
    ],
    [
      "a preflight from a stranger",
      {
        method: "OPTIONS",
        anonymous: true,
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      },
    ],
    [
      "an allowed Origin's POST",
      { headers: { origin: "https://claude.ai" }, body: { jsonrpc: "2.0", id: 1, method: "ping" } },
    ],
    ["a foreign Origin's POST", { headers: { origin: "https://evil.example" }, body: "{}" }],
    ["an unauthorised POST", { anonymous: true, headers: { origin: "https://claude.ai" }, body: "{}" }],
    [
      "a notification",
      {
        headers: { origin: "https://claude.ai" },
        body: { jsonrpc: "2.0", method: "notifications/initialized" },
      },
    ],
    ["a GET", { method: "GET", headers: { origin: "https://claude.ai" } }],
  ];

  test("the Lambda handler answers without Access-Control-* headers", async () => {
    const lambda = await loadLambda();
    try {
      for (const [name, options] of requests) {
        const { status, headers } = await lambda.invoke(functionUrlEvent(options));
        const cors = Object.keys(headers).filter((header) =>
          header.toLowerCase().startsWith("access-control-"),
        );
        assert.deepEqual(cors, [], `${name} (${status})`);
      }
      lambda.takeLogs();
    } finally {
      await lambda.stop();
    }
  });

  test("the local server answers without Access-Control-* headers", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "memory-cors-"));
    const server = await startLocalServer({
      port: 0,
      dataDir,
      apiKey: TEST_API_KEY,
      logger: { request() {}, info() {}, warn() {} },
    });
    try {
      for (const [name, options] of requests) {
        const event = functionUrlEvent({
          ...options,
          headers: {
            ...options.headers,
            origin: options.headers?.origin?.replace("https://claude.ai", "http://localhost:3000") ?? "",
          },
        });
        const response = await fetch(server.url, {
          method: event.requestContext.http.method,
          headers: Object.fromEntries(
            Object.entries(event.headers).filter(([header]) => header !== "host"),
          ) as Record<string, string>,
          ...(event.body === undefined ? {} : { body: event.body }),
        });
        await response.arrayBuffer();
        const cors = [...response.headers.keys()].filter((header) => header.startsWith("access-control-"));
        assert.deepEqual(cors, [], `${name} (${response.status})`);
      }
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("the Function URL declares no cors block, so AWS answers no preflight either", () => {
    const main = source("terraform/main.tf");
    const block = /resource "aws_lambda_function_url" "this" \{([\s\S]*?)\n\}/.exec(main)?.[1];
    assert.ok(block, "the Function URL resource is found");
    assert.doesNotMatch(block, /\bcors\b/);
  });
});
