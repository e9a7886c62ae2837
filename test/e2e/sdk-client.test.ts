// Pins down interoperability with the official MCP SDK clients over real HTTP against the local server
// (the same handler as Lambda, embedded dynalite): v1 `Client` + `StreamableHTTPClientTransport` with a
// 2025-11-25 handshake, and the v2 client pinned to the stateless 2026-07-28 revision. Each runs a whole
// session: handshake or discovery, tools/list, create, search, update, get, list, delete.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { output } from "../../src/generated/output-validators.js";
import { type LocalServer, startLocalServer } from "../../src/local/server.ts";
import { createLogger } from "../../src/protocol/log.ts";
import { TOOL_NAMES } from "../helpers/tool-names.ts";

let server: LocalServer;
let dataDir: string;
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "memory-e2e-"));
  const quiet = createLogger(() => {});
  server = await startLocalServer({ port: 0, dataDir, apiKey: "e2e-key-0123456789", logger: quiet });
});
after(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
}

/** Calls a tool, asserts a successful result whose text block is the structured content, and returns it. */
async function call(
  client: ToolCaller,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const result = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    content: { type: string; text: string }[];
    structuredContent: Record<string, unknown>;
  };
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  assert.deepEqual(JSON.parse(result.content[0]?.text ?? "null"), result.structuredContent);
  const validate = output[name as keyof typeof output];
  assert.ok(
    validate(result.structuredContent),
    `${name} output matches its schema: ${JSON.stringify(validate.errors)}`,
  );
  return result.structuredContent;
}

/** The session every client runs; `tag` keeps each client's memories apart. */
async function runSession(client: ToolCaller, tag: string): Promise<void> {
  const created = await call(client, "create_memory", {
    content: `My daughter Mia was born on 14 March 2019 (${tag}).`,
    tags: ["Family", tag],
  });
  const memory = created.memory as { id: string; version: number; tags: string[] };
  assert.equal(created.duplicate, false);
  assert.deepEqual(memory.tags, ["family", tag]);

  const again = await call(client, "create_memory", {
    content: `My daughter Mia  was born on 14 March 2019 (${tag}).`,
  });
  assert.equal(again.duplicate, true);
  assert.equal((again.memory as { id: string }).id, memory.id);

  await call(client, "create_memory", { content: `I am allergic to peanuts (${tag}).`, tags: [tag] });
  const found = await call(client, "search_memories", {
    query: "when is my daughter's birthday?",
    tags: [tag],
  });
  const results = found.results as { id: string; snippet: string }[];
  assert.equal(results[0]?.id, memory.id);

  const updated = await call(client, "update_memory", {
    id: memory.id,
    content: `My daughter Mia was born on 15 March 2019 (${tag}).`,
    expectedVersion: memory.version,
  });
  assert.equal((updated.memory as { version: number }).version, 2);

  const fetched = await call(client, "get_memory", { id: memory.id });
  assert.equal(
    (fetched.memory as { content: string }).content,
    `My daughter Mia was born on 15 March 2019 (${tag}).`,
  );

  const listed = await call(client, "list_memories", { tags: [tag] });
  assert.equal((listed.memories as unknown[]).length, 2);

  const deleted = await call(client, "delete_memory", { id: memory.id });
  assert.equal((deleted.deleted as { id: string }).id, memory.id);
  const gone = (await client.callTool({ name: "get_memory", arguments: { id: memory.id } })) as {
    isError?: boolean;
  };
  assert.equal(gone.isError, true);
}

describe("official SDK v1 client, 2025-11-25 handshake", () => {
  test("connects, lists the tools and runs a whole session", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { Authorization: `Bearer ${server.apiKey}` } },
    });
    const client = new Client({ name: "e2e-v1", version: "1.0.0" });
    await client.connect(transport);
    try {
      assert.equal(transport.protocolVersion, "2025-11-25");
      assert.deepEqual(client.getServerVersion()?.name, "memory-mcp-lambda");
      assert.ok(client.getInstructions()?.includes("search_memories"));
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((tool) => tool.name),
        TOOL_NAMES,
      );
      await client.ping();
      await runSession(client, "v1");
    } finally {
      await client.close();
    }
  });

  test("the secret-path URL works for clients that take only a URL", async () => {
    const url = new URL(`${server.url}/${encodeURIComponent(server.apiKey)}`);
    const client = new Client({ name: "e2e-path", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url));
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, TOOL_NAMES.length);
    } finally {
      await client.close();
    }
  });

  test("a wrong key fails to connect", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { Authorization: "Bearer wrong" } },
    });
    const client = new Client({ name: "e2e-bad", version: "1.0.0" });
    await assert.rejects(client.connect(transport));
  });
});

describe("official SDK v2 client, stateless 2026-07-28", () => {
  test("discovers, lists the tools and runs a whole session statelessly", async () => {
    const transport = new TransportV2(new URL(server.url), {
      requestInit: { headers: { Authorization: `Bearer ${server.apiKey}` } },
    });
    const client = new ClientV2(
      { name: "e2e-v2", version: "1.0.0" },
      { versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    await client.connect(transport);
    try {
      assert.equal(client.getProtocolEra(), "modern");
      assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((tool) => tool.name),
        TOOL_NAMES,
      );
      await runSession(client, "v2");
    } finally {
      await client.close();
    }
  });

  test("in auto mode the v2 client picks the stateless era by itself", async () => {
    const transport = new TransportV2(new URL(server.url), {
      requestInit: { headers: { Authorization: `Bearer ${server.apiKey}` } },
    });
    const client = new ClientV2(
      { name: "e2e-auto", version: "1.0.0" },
      { versionNegotiation: { mode: "auto" } },
    );
    await client.connect(transport);
    try {
      assert.equal(client.getProtocolEra(), "modern");
      const { tools } = await client.listTools();
      assert.equal(tools.length, TOOL_NAMES.length);
    } finally {
      await client.close();
    }
  });
});
