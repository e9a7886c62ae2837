// Pins down the wiring in src/app.ts: configuration in, one HTTP handler out. What each environment variable
// does when set, unset or wrong (a warning that names it, a safe fallback, never a crash), that the server
// presents its identity and instructions, serves every tool in schemas/, and calls tools on the given store.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { createApp, INSTRUCTIONS, SERVER_IDENTITY } from "../src/app.ts";
import type { MemoryStore } from "../src/memory/memory-store.ts";
import { sha256Hex } from "../src/protocol/auth.ts";
import type { HttpResponse } from "../src/protocol/http.ts";
import { createLogger } from "../src/protocol/log.ts";
import { DEFAULT_LAMBDA_ORIGINS } from "../src/protocol/origins.ts";
import { TEST_API_KEY, UNAUTHORIZED_MESSAGE } from "./fixtures/events.ts";
import { createTestStore, type Dynalite, startDynalite } from "./helpers/dynalite.ts";

const DIGEST = sha256Hex(TEST_API_KEY);

let database: Dynalite;
let store: MemoryStore;
before(async () => {
  database = await startDynalite();
  ({ store } = await createTestStore(database));
});
after(async () => {
  await database.stop();
});

interface Started {
  /** POSTs one JSON-RPC message to /mcp with the test key, and an Origin when given. */
  post(method: string, params?: unknown, origin?: string): Promise<HttpResponse>;
  /** What the app logged at start-up (before any request). */
  startLines: unknown[];
}

function start(env: Record<string, string>): Started {
  const lines: string[] = [];
  const app = createApp({
    env: { MCP_API_KEY_SHA256: DIGEST, ...env },
    store,
    defaultOrigins: DEFAULT_LAMBDA_ORIGINS,
    logger: createLogger((line) => lines.push(line)),
  });
  const startLines = lines.map((line): unknown => JSON.parse(line));
  let id = 0;
  return {
    startLines,
    post(method, params, origin) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${TEST_API_KEY}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      };
      if (origin !== undefined) headers.origin = origin;
      return app({
        method: "POST",
        path: "/mcp",
        headers,
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: ++id,
          method,
          ...(params === undefined ? {} : { params }),
        }),
      });
    },
  };
}

function warning(msg: string): unknown {
  return { level: "warn", msg };
}

const FORBIDDEN_ORIGIN = {
  status: 403,
  body: { jsonrpc: "2.0", id: null, error: { code: -32_600, message: "Forbidden: Origin not allowed" } },
};

/** Status and parsed body: the whole answer but its headers. */
function answer(response: HttpResponse): { status: number; body: unknown } {
  return { status: response.status, body: JSON.parse(response.body) };
}

describe("a complete configuration", () => {
  test("starts without a warning and presents the server's identity and instructions", async () => {
    const app = start({});
    assert.deepEqual(app.startLines, []);
    const initialized = await app.post("initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "test", version: "1" },
    });
    assert.deepEqual(answer(initialized), {
      status: 200,
      body: {
        jsonrpc: "2.0",
        id: 1,
        result: {
          protocolVersion: "2025-11-25",
          capabilities: { tools: { listChanged: false } },
          serverInfo: SERVER_IDENTITY,
          instructions: INSTRUCTIONS,
        },
      },
    });
    const manifest: unknown = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    assert.deepEqual(SERVER_IDENTITY, {
      name: "memory-mcp-lambda",
      title: "Personal Memory",
      version: (manifest as { version: string }).version, // package.json has a version
    });
  });

  test("serves every tool of schemas/, each with its schema file's input and output schemas", async () => {
    const listed = JSON.parse((await start({}).post("tools/list")).body) as {
      result: { tools: { name: string; inputSchema: unknown; outputSchema: unknown }[] };
    }; // a tools/list answer
    const schemaDir = new URL("../schemas/", import.meta.url);
    const files = readdirSync(schemaDir).filter((file) => file.endsWith(".json"));
    assert.deepEqual(
      listed.result.tools.map((tool) => tool.name).sort(),
      files.map((file) => file.slice(0, -".json".length)).sort(),
    );
    for (const tool of listed.result.tools) {
      const document: unknown = JSON.parse(readFileSync(new URL(`${tool.name}.json`, schemaDir), "utf8"));
      assert.deepEqual({ input: tool.inputSchema, output: tool.outputSchema }, document, tool.name);
    }
  });

  test("calls tools on the store it was given", async () => {
    const created = await start({}).post("tools/call", {
      name: "create_memory",
      arguments: { content: "Wired through createApp." },
    });
    const { memory } = (
      JSON.parse(created.body) as { result: { structuredContent: { memory: { id: string } } } }
    ).result.structuredContent; // a successful tools/call answer
    assert.deepEqual(await store.get(memory.id), memory);
  });

  test("admits Claude's web origins by default, and requests without an Origin", async () => {
    const app = start({});
    assert.equal((await app.post("ping", undefined, "https://claude.ai")).status, 200);
    assert.equal((await app.post("ping")).status, 200);
    assert.deepEqual(answer(await app.post("ping", undefined, "https://evil.example")), FORBIDDEN_ORIGIN);
  });
});

describe("configuration problems: a warning naming the variable, and a safe fallback", () => {
  test("MCP_API_KEY_SHA256 unset or malformed: every request is refused with 401", async () => {
    for (const [value, message] of [
      ["", "MCP_API_KEY_SHA256 is empty: every request will be refused"],
      ["not-a-digest", "MCP_API_KEY_SHA256 has 1 entr(ies) that are not 64 lowercase hex digits"],
    ] as const) {
      const app = start({ MCP_API_KEY_SHA256: value });
      assert.deepEqual(app.startLines, [warning(message)]);
      const refused = await app.post("ping");
      assert.deepEqual(
        // a refusal is a JSON-RPC error body
        { status: refused.status, error: (JSON.parse(refused.body) as { error: unknown }).error },
        { status: 401, error: { code: -32_001, message: UNAUTHORIZED_MESSAGE } },
      );
    }
  });

  test("MCP_ALLOWED_ORIGINS replaces the defaults; when malformed it admits no browser origin", async () => {
    const custom = start({ MCP_ALLOWED_ORIGINS: "https://app.example.com" });
    assert.deepEqual(custom.startLines, []);
    assert.equal((await custom.post("ping", undefined, "https://app.example.com")).status, 200);
    assert.deepEqual(answer(await custom.post("ping", undefined, "https://claude.ai")), FORBIDDEN_ORIGIN);

    const broken = start({ MCP_ALLOWED_ORIGINS: "https://claude.ai, claude.com" });
    assert.deepEqual(broken.startLines, [
      warning('MCP_ALLOWED_ORIGINS ignored, allowing no browser origin: not an origin pattern: "claude.com"'),
    ]);
    assert.deepEqual(answer(await broken.post("ping", undefined, "https://claude.ai")), FORBIDDEN_ORIGIN);
    assert.equal((await broken.post("ping")).status, 200, "server-to-server calls send no Origin");
  });

  test("TOOL_DEADLINE_MS must be whole milliseconds from 500 to 900000", () => {
    for (const value of ["", "500", "8000", "900000"]) {
      assert.deepEqual(start({ TOOL_DEADLINE_MS: value }).startLines, [], value);
    }
    for (const value of ["499", "900001", "1.5", "8 s", "-1"]) {
      assert.deepEqual(
        start({ TOOL_DEADLINE_MS: value }).startLines,
        [warning("TOOL_DEADLINE_MS ignored: it must be whole milliseconds from 500 to 900000")],
        value,
      );
    }
  });

  test("PUBLIC_BASE_URL that is not an origin is ignored, saying why", () => {
    assert.deepEqual(start({ PUBLIC_BASE_URL: "https://memory.example.com" }).startLines, []);
    assert.deepEqual(start({ PUBLIC_BASE_URL: " " }).startLines, []);
    for (const [value, reason] of [
      ["memory.example.com", "PUBLIC_BASE_URL is not a URL"],
      ["ftp://memory.example.com", "PUBLIC_BASE_URL must start with https:// (or http:// for loopback)"],
      [
        "https://memory.example.com/mcp",
        "PUBLIC_BASE_URL must be an origin such as https://memory.example.com",
      ],
    ] as const) {
      assert.deepEqual(
        start({ PUBLIC_BASE_URL: value }).startLines,
        [warning(`PUBLIC_BASE_URL ignored, deriving the base URL from each request: ${reason}`)],
        value,
      );
    }
  });
});
