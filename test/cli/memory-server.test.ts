// Pins down moving in from the reference memory server: @modelcontextprotocol/server-memory runs over stdio
// under the official SDK client and writes a real memory.jsonl; importing that file stores its
// observations and relations as memories, a second import adds nothing, and then `npm start`'s server
// (the same handler as Lambda) finds them with search_memories through the official SDK client.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startLocalServer } from "../../src/local/server.ts";
import { createLogger } from "../../src/protocol/log.ts";
import { cli, tempDir } from "./support.ts";

const serverMemory = createRequire(import.meta.url).resolve(
  "@modelcontextprotocol/server-memory/dist/index.js",
);

/** Builds a small knowledge graph with the reference server and returns the memory.jsonl it wrote. */
async function writeKnowledgeGraph(dir: string): Promise<string> {
  const file = join(dir, "memory.jsonl");
  const client = new Client({ name: "memory-import-test", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [serverMemory],
      env: { MEMORY_FILE_PATH: file, PATH: process.env.PATH ?? "" },
      stderr: "ignore",
    }),
  );
  try {
    const call = async (name: string, args: Record<string, unknown>): Promise<void> => {
      const result = await client.callTool({ name, arguments: args });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
    };
    await call("create_entities", {
      entities: [
        { name: "Maya", entityType: "person", observations: ["Born on 14 March 2019", "Loves 🦕 dinosaurs"] },
        { name: "Acme Corp", entityType: "organization", observations: ["Makes anvils"] },
        { name: "東京", entityType: "city", observations: [] },
      ],
    });
    await call("add_observations", {
      observations: [{ entityName: "Acme Corp", contents: ["Headquarters in Springfield"] }],
    });
    await call("create_relations", {
      relations: [
        { from: "Maya", to: "東京", relationType: "lives_in" },
        { from: "Maya", to: "Acme Corp", relationType: "visited" },
      ],
    });
  } finally {
    await client.close();
  }
  return file;
}

describe("import --from memory-server", () => {
  test("a real memory.jsonl becomes memories; twice adds nothing; npm start's server finds them", async () => {
    const dir = tempDir();
    const file = await writeKnowledgeGraph(dir);
    // The reference server's own format, as it wrote it: entities first, then relations.
    assert.deepEqual(
      readFileSync(file, "utf8")
        .split("\n")
        .map((line) => JSON.parse(line).type),
      ["entity", "entity", "entity", "relation", "relation"],
    );

    const dataDir = join(dir, "data");
    const first = await cli(["import", file, "--from", "memory-server", "--data-dir", dataDir]);
    assert.deepEqual(first, {
      code: 0,
      stdout: "",
      stderr: `Into the data directory ${dataDir} from ${file} (memory-server): imported 7 memories, 0 were there already, 0 lines refused.\n`,
    });
    const second = await cli(["import", file, "--data-dir", dataDir]);
    assert.equal(second.code, 0);
    assert.match(
      second.stderr,
      /\(memory-server\): imported 0 memories, 7 were there already, 0 lines refused\.\n$/,
    );

    const exported = await cli(["export", "--data-dir", dataDir]);
    const memories = exported.stdout
      .trim()
      .split("\n")
      .map((line) => {
        const { content, tags } = JSON.parse(line);
        return { content, tags };
      })
      .sort((a, b) => a.content.localeCompare(b.content));
    assert.deepEqual(memories, [
      { content: "Acme Corp: Headquarters in Springfield", tags: ["acme corp", "organization"] },
      { content: "Acme Corp: Makes anvils", tags: ["acme corp", "organization"] },
      { content: "Maya lives_in 東京", tags: ["maya", "東京"] },
      { content: "Maya visited Acme Corp", tags: ["maya", "acme corp"] },
      { content: "Maya: Born on 14 March 2019", tags: ["maya", "person"] },
      { content: "Maya: Loves 🦕 dinosaurs", tags: ["maya", "person"] },
      { content: "東京 (city)", tags: ["東京", "city"] },
    ]);

    const server = await startLocalServer({
      port: 0,
      dataDir,
      apiKey: "import-key-0123456789",
      logger: createLogger(() => {}),
    });
    const client = new Client({ name: "after-import", version: "1.0.0" });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(server.url), {
          requestInit: { headers: { Authorization: `Bearer ${server.apiKey}` } },
        }),
      );
      const result = await client.callTool({
        name: "search_memories",
        arguments: { query: "when was Maya born?" },
      });
      assert.notEqual(result.isError, true);
      // search_memories' output schema: results, best first, each with a snippet of the memory.
      const { results } = result.structuredContent as { results: { snippet: string }[] };
      assert.match(results[0]?.snippet ?? "", /Maya: Born on 14 March 2019/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
