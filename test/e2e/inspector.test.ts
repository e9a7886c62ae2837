// Drives the local server through the MCP Inspector's CLI mode (@modelcontextprotocol/inspector, on Node 22
// from the node@22 devDependency), the client people open first: tools/list in both eras, create_memory and
// search_memories with the API key header, and the whole OAuth sign-in (dynamic registration, the consent
// page approved with the API key, the redirect to the CLI's loopback callback, the token) with no header.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { type LocalServer, startLocalServer } from "../../src/local/server.ts";
import { createLogger } from "../../src/protocol/log.ts";
import { NODE_22 } from "../helpers/node22.ts";
import { TOOL_NAMES } from "../helpers/tool-names.ts";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const INSPECTOR = join(
  dirname(require.resolve("@modelcontextprotocol/inspector/package.json")),
  "clients",
  "launcher",
  "build",
  "index.js",
);
const API_KEY = "inspector-key-0123456789abcdefghijklmnopqrstuvwxyz";

let server: LocalServer;
let home: string;
before(async () => {
  home = mkdtempSync(join(tmpdir(), "inspector-"));
  server = await startLocalServer({
    port: 0,
    dataDir: join(home, "data"),
    apiKey: API_KEY,
    logger: createLogger(() => {}),
  });
});
after(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

/**
 * The Inspector's environment: its own HOME (catalog, stored tokens), secrets kept in memory (no OS
 * keychain here), and no browser: BROWSER is a no-op and there is no display, so nothing is opened.
 */
function inspectorEnv(): NodeJS.ProcessEnv {
  const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ...env } = process.env;
  return {
    ...env,
    HOME: join(home, "home"),
    MCP_INSPECTOR_SECRET_STORE: "memory",
    BROWSER: "true",
    XDG_CURRENT_DESKTOP: "",
  };
}

/** One CLI call with the API key header; the JSON result it prints. */
async function inspect(args: string[]): Promise<unknown> {
  const { stdout } = await run(
    NODE_22,
    [
      INSPECTOR,
      "--cli",
      server.url,
      "--header",
      `Authorization: Bearer ${API_KEY}`,
      "--format",
      "json",
      ...args,
    ],
    { env: inspectorEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout); // --format json: one JSON object on stdout
}

interface ToolsListOutput {
  result: { tools: { name: string }[] };
}

interface MemoryOutput {
  result: {
    isError?: boolean;
    structuredContent: { memory: { id: string; content: string; tags: string[] }; duplicate: boolean };
  };
}

interface SearchOutput {
  result: { isError?: boolean; structuredContent: { results: { id: string; snippet: string }[] } };
}

describe("MCP Inspector CLI", () => {
  test("lists the tools in both eras with the API key header", async () => {
    for (const era of ["legacy", "modern"]) {
      const output = (await inspect(["--method", "tools/list", "--protocol-era", era])) as ToolsListOutput;
      assert.deepEqual(
        output.result.tools.map((tool) => tool.name),
        TOOL_NAMES,
        era,
      );
    }
  });

  test("creates a memory and finds it again", async () => {
    const content = "The Inspector test: my sister Ines keeps three zebra finches.";
    const created = (await inspect([
      "--method",
      "tools/call",
      "--tool-name",
      "create_memory",
      "--tool-args-json",
      JSON.stringify({ content, tags: ["inspector"] }),
    ])) as MemoryOutput;
    const { memory, duplicate } = created.result.structuredContent;
    assert.deepEqual(
      { isError: created.result.isError, content: memory.content, tags: memory.tags, duplicate },
      { isError: undefined, content, tags: ["inspector"], duplicate: false },
    );
    const found = (await inspect([
      "--method",
      "tools/call",
      "--tool-name",
      "search_memories",
      "--tool-args-json",
      JSON.stringify({ query: "zebra finches" }),
      "--protocol-era",
      "modern",
    ])) as SearchOutput;
    assert.deepEqual(
      found.result.structuredContent.results.map(({ id, snippet }) => ({ id, snippet })),
      [{ id: memory.id, snippet: content }],
    );
  });

  test("signs in through OAuth with no header: registration, consent with the API key, callback, token", async () => {
    const callbackPort = await freePort();
    const child = spawn(
      NODE_22,
      [
        INSPECTOR,
        "--cli",
        server.url,
        "--method",
        "tools/list",
        "--format",
        "json",
        "--callback-url",
        `http://127.0.0.1:${callbackPort}/oauth/callback`,
      ],
      // No TTY here: this tells the CLI a person is present, who follows the printed link.
      { env: { ...inspectorEnv(), MCP_AUTO_OPEN_ENABLED: "true" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((done) => child.once("exit", done));
    const authorizationUrl = await new Promise<URL>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /Please navigate to: (http\S+)/.exec(stderr);
        if (match?.[1] !== undefined) resolve(new URL(match[1]));
      });
      void exited.then((code) => reject(new Error(`the CLI exited (${code}) before sign-in: ${stderr}`)));
    });
    assert.equal(
      `${authorizationUrl.origin}${authorizationUrl.pathname}`,
      server.url.replace(/\/mcp$/, "/authorize"),
    );

    // The person: opens the page, approves with the API key; the browser follows the redirect.
    const page = await fetch(authorizationUrl);
    const html = await page.text();
    const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(page.status === 200 && ticket !== undefined, `a consent page with a ticket: ${html}`);
    const approved = await fetch(new URL("/authorize", authorizationUrl), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: authorizationUrl.origin },
      body: new URLSearchParams({ ticket, action: "approve", api_key: API_KEY }),
    });
    const location = new URL(approved.headers.get("location") ?? "");
    assert.deepEqual(
      { status: approved.status, callback: `${location.origin}${location.pathname}` },
      { status: 303, callback: `http://127.0.0.1:${callbackPort}/oauth/callback` },
    );
    const callback = await fetch(location);
    await callback.text();
    assert.equal(callback.status, 200);

    assert.equal(await exited, 0, stderr);
    const output = JSON.parse(stdout) as ToolsListOutput; // --format json: one JSON object on stdout
    assert.deepEqual(
      output.result.tools.map((tool) => tool.name),
      TOOL_NAMES,
    );
  });
});

/** A loopback port free right now, for the CLI's OAuth callback listener. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const address = probe.address();
  await new Promise<void>((done) => probe.close(() => done()));
  assert.ok(address !== null && typeof address === "object");
  return address.port;
}
