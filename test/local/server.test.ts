// Pins down the local server (`npm start`): the key is generated once and kept with owner-only
// permissions, data survives a restart, only loopback origins are allowed, an early answer (401, 403,
// 406, 413, 415) leaves a kept-alive connection usable, and Ctrl-C stops the process cleanly with the
// data flushed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { startLocalServer } from "../../src/local/server.ts";
import { createLogger } from "../../src/protocol/log.ts";

const quiet = createLogger(() => {});
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "memory-local-"));
  dirs.push(dir);
  return dir;
}

async function post(
  url: string,
  key: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

function callTool(name: string, args: Record<string, unknown>): unknown {
  return { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } };
}

describe("local server", () => {
  test("generates a key once, saves it owner-only, and reuses it on restart", async () => {
    const dataDir = tempDir();
    const first = await startLocalServer({ port: 0, dataDir, logger: quiet });
    await first.close();
    const file = join(dataDir, "api-key");
    assert.equal(first.keyGenerated, true);
    assert.equal(readFileSync(file, "utf8").trim(), first.apiKey);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(first.apiKey.length >= 43, "256 random bits, base64url");
    const second = await startLocalServer({ port: 0, dataDir, logger: quiet });
    await second.close();
    assert.deepEqual(
      { key: second.apiKey, generated: second.keyGenerated },
      { key: first.apiKey, generated: false },
    );
  });

  test("memories survive a restart of the server", async () => {
    const dataDir = tempDir();
    const first = await startLocalServer({ port: 0, dataDir, apiKey: "k", logger: quiet });
    const created = await (
      await post(first.url, "k", callTool("create_memory", { content: "Survives restarts 🌱" }))
    ).json();
    const id = (created as { result: { structuredContent: { memory: { id: string } } } }).result
      .structuredContent.memory.id;
    await first.close();

    const second = await startLocalServer({ port: 0, dataDir, apiKey: "k", logger: quiet });
    try {
      const fetched = await (await post(second.url, "k", callTool("get_memory", { id }))).json();
      const memory = (fetched as { result: { structuredContent: { memory: { content: string } } } }).result
        .structuredContent.memory;
      assert.equal(memory.content, "Survives restarts 🌱");
    } finally {
      await second.close();
    }
  });

  test("allows loopback origins and refuses foreign ones", async () => {
    const server = await startLocalServer({ port: 0, dataDir: tempDir(), apiKey: "k", logger: quiet });
    try {
      const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
      for (const origin of ["http://localhost:6274", "http://127.0.0.1:3000", "http://[::1]:8080"]) {
        assert.equal((await post(server.url, "k", ping, { origin })).status, 200, origin);
      }
      for (const origin of ["https://claude.ai", "http://evil.example", "http://localhost.evil.example"]) {
        assert.equal((await post(server.url, "k", ping, { origin })).status, 403, origin);
      }
    } finally {
      await server.close();
    }
  });

  test("an oversized body is refused with 413 without being buffered whole", async () => {
    const server = await startLocalServer({ port: 0, dataDir: tempDir(), apiKey: "k", logger: quiet });
    try {
      const response = await fetch(server.url, {
        method: "POST",
        headers: { authorization: "Bearer k", "content-type": "application/json" },
        body: `{"pad":"${"x".repeat(2 * 1024 * 1024)}"}`,
      });
      assert.equal(response.status, 413);
    } finally {
      await server.close();
    }
  });

  test("early answers keep a kept-alive connection usable for the client's next request", async () => {
    // One pooled connection, as fetch/undici (the official SDK's transport) keeps: a refused request must
    // not leave the next one an ECONNRESET. Each oversized body is sent in two parts, the second only once
    // the answer has arrived, so the server answers before it has read the whole body, every time.
    const server = await startLocalServer({ port: 0, dataDir: tempDir(), apiKey: "k", logger: quiet });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refusals: [string, Record<string, string>, number][] = [
        ["oversized", {}, 413],
        ["wrong key", { authorization: "Bearer wrong" }, 401],
        ["foreign origin", { origin: "https://evil.example" }, 403],
        ["not acceptable", { accept: "text/html" }, 406],
        ["unsupported media type", { "content-type": "text/plain" }, 415],
      ];
      const outcomes: unknown[] = [await send(agent, server.url, PING, {})];
      const expected: unknown[] = [{ status: 200, reused: false, connection: "keep-alive" }];
      for (const size of ["small", "oversized"] as const) {
        for (const [label, headers, status] of refusals) {
          if (label === "oversized" && size === "small") continue;
          const refused =
            size === "small"
              ? await send(agent, server.url, PING, headers)
              : await sendInTwoParts(agent, server.url, 1024 * 1024, headers);
          outcomes.push({ label, size, ...refused });
          outcomes.push({ label: "ping after", size, ...(await send(agent, server.url, PING, {})) });
          expected.push({ label, size, status, reused: true, connection: "keep-alive" });
          expected.push({ label: "ping after", size, status: 200, reused: true, connection: "keep-alive" });
        }
      }
      assert.deepEqual(outcomes, expected);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  test("a body declared far over the limit is answered with Connection: close, and the client reconnects", async () => {
    const server = await startLocalServer({ port: 0, dataDir: tempDir(), apiKey: "k", logger: quiet });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const outcomes = [
        await send(agent, server.url, PING, {}),
        await sendInTwoParts(agent, server.url, 8 * 1024 * 1024, {}),
        await send(agent, server.url, PING, {}),
        await send(agent, server.url, PING, {}),
      ];
      assert.deepEqual(outcomes, [
        { status: 200, reused: false, connection: "keep-alive" },
        { status: 413, reused: true, connection: "close" },
        { status: 200, reused: false, connection: "keep-alive" },
        { status: 200, reused: true, connection: "keep-alive" },
      ]);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  test("npm start's entry prints the endpoint, key, curl and claude lines, and Ctrl-C exits cleanly", async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ["--import", "tsx", "src/local/main.ts"], {
      env: { ...process.env, PORT: "0", DATA_DIR: dataDir, MCP_API_KEY: "printed-key" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    // Waits for the banner's last line however long a loaded machine takes, or for the child to give up.
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("Ctrl-C stops it")) resolve();
      });
      child.on("exit", () => resolve());
    });
    const url = /endpoint {2}(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr)?.[1];
    assert.ok(url, stderr);
    assert.match(stderr, /API key {3}printed-key {2}\(from MCP_API_KEY\)/);
    assert.ok(stderr.includes(`curl -s ${url} -H 'Authorization: Bearer printed-key'`));
    assert.ok(
      stderr.includes(
        `claude mcp add --transport http memory ${url} --header "Authorization: Bearer printed-key"`,
      ),
    );
    const created = await post(
      url,
      "printed-key",
      callTool("create_memory", { content: "written before Ctrl-C" }),
    );
    assert.equal(created.status, 200);

    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    assert.equal(await exited, 0);

    const again = await startLocalServer({ port: 0, dataDir, apiKey: "printed-key", logger: quiet });
    try {
      const listed = await (await post(again.url, "printed-key", callTool("list_memories", {}))).json();
      const memories = (listed as { result: { structuredContent: { memories: { content: string }[] } } })
        .result.structuredContent.memories;
      assert.deepEqual(
        memories.map((memory) => memory.content),
        ["written before Ctrl-C"],
      );
    } finally {
      await again.close();
    }
  });

  test("a port already in use is a clear message, not a stack trace", async () => {
    const server = await startLocalServer({ port: 0, dataDir: tempDir(), apiKey: "k", logger: quiet });
    try {
      const port = new URL(server.url).port;
      const child = spawn(process.execPath, ["--import", "tsx", "src/local/main.ts"], {
        env: { ...process.env, PORT: port, DATA_DIR: tempDir() },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      assert.equal(code, 1);
      assert.ok(stderr.includes(`Port ${port} is in use: set PORT to another one`), stderr);
      assert.ok(!stderr.includes("    at "), "no stack trace");
    } finally {
      await server.close();
    }
  });
});

const PING = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
const AUTH_AND_JSON = { authorization: "Bearer k", "content-type": "application/json" };

interface Outcome {
  status: number;
  /** Whether the request went over a connection an earlier request opened. */
  reused: boolean;
  connection: string | undefined;
}

/** One POST through `agent`, the response read to its end. */
function send(agent: Agent, url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", agent, headers: { ...AUTH_AND_JSON, ...headers } },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            reused: req.reusedSocket,
            connection: res.headers.connection,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * A POST of `size` bytes (Content-Length declared) through `agent`: the first part, just over the server's
 * limit, then the rest only after the whole answer has arrived, when the server does not close the
 * connection (a client that reads the answer early stops sending when told Connection: close).
 */
function sendInTwoParts(
  agent: Agent,
  url: string,
  size: number,
  headers: Record<string, string>,
): Promise<Outcome> {
  const first = 256 * 1024 + 4096;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: "POST",
        agent,
        headers: { ...AUTH_AND_JSON, ...headers, "content-length": String(size) },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          const outcome = {
            status: res.statusCode ?? 0,
            reused: req.reusedSocket,
            connection: res.headers.connection,
          };
          if (outcome.connection === "close") {
            req.destroy();
            resolve(outcome);
          } else req.end(Buffer.alloc(size - first, 0x20), () => resolve(outcome));
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.write(Buffer.alloc(first, 0x20));
  });
}
