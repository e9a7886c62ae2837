// Pins down a quiet first start: on a Node older than 22, `npm start` prints one line of its own
// recommending Node 22 instead of the AWS SDK's seven-line NodeVersionSupportWarning; on 22 and newer, nothing.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { nodeVersionNote } from "../../src/local/node-version.ts";

test("the note recommends Node 22 on older versions only", () => {
  assert.deepEqual(["v20.16.0", "v21.7.3", "v22.0.0", "v24.1.0", "not a version"].map(nodeVersionNote), [
    "Node v20.16.0 works; Node 22 or newer is recommended (Lambda runs 22, and AWS SDK releases from January 2027 on need it).",
    "Node v21.7.3 works; Node 22 or newer is recommended (Lambda runs 22, and AWS SDK releases from January 2027 on need it).",
    undefined,
    undefined,
    undefined,
  ]);
});

test("npm start's entry prints the note for this Node, and never the SDK's warning", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "memory-start-"));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", DATA_DIR: dataDir, MCP_API_KEY: "k" };
  // The test runner silences the SDK for every test; this one must see what a user's shell would.
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  const child = spawn(process.execPath, ["--import", "tsx", "src/local/main.ts"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let stderr = "";
    const banner = new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("Ctrl-C stops it")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`exited with ${code} before the banner:\n${stderr}`)));
    });
    await banner;
    const url = /endpoint {2}(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr)?.[1] ?? "";
    // One request through the store, so a warning the SDK emits lazily would have shown by now.
    const listed = await fetch(url, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "list_memories", arguments: {} },
      }),
    });
    assert.equal(listed.status, 200);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    assert.equal(await exited, 0);

    assert.equal(stderr.includes("NodeVersionSupportWarning"), false, stderr);
    const lines = stderr.split("\n");
    assert.equal(lines[1], `memory-mcp-lambda is running locally (embedded DynamoDB, data in ${dataDir})`);
    const note = nodeVersionNote(process.version);
    assert.equal(lines[2], note ?? "", "the note, or the blank line that follows the title");
    assert.equal(lines.filter((line) => line.includes("Node 22")).length, note === undefined ? 0 : 1);
  } finally {
    child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
