// Pins down the initialize era of MCP through the real Lambda handler: the handshake and its version
// negotiation, ping, the instructions, tools/list with the schemas of schemas/ and full annotations, and the
// answers to an unknown method or a stateless method without its _meta.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { INSTRUCTIONS, SERVER_IDENTITY } from "../../src/app.ts";
import { TOOL_NAMES } from "../helpers/tool-names.ts";
import { error, request, rpc } from "./support.ts";

describe("initialize era", () => {
  test("initialize echoes each supported version and answers the whole result", async () => {
    for (const version of ["2025-11-25", "2025-06-18", "2025-03-26"]) {
      const { status, json } = await rpc(
        request("initialize", {
          protocolVersion: version,
          capabilities: {},
          clientInfo: { name: "t", version: "1" },
        }),
      );
      assert.deepEqual(
        { status, json },
        {
          status: 200,
          json: {
            jsonrpc: "2.0",
            id: 1,
            result: {
              protocolVersion: version,
              capabilities: { tools: { listChanged: false } },
              serverInfo: {
                name: "memory-mcp-lambda",
                title: "Personal Memory",
                version: SERVER_IDENTITY.version,
              },
              instructions: INSTRUCTIONS,
            },
          },
        },
      );
    }
  });

  test("an unsupported version is answered with the latest, not an error", async () => {
    for (const version of ["2024-11-05", "2099-01-01", "garbage"]) {
      const { json } = await rpc(request("initialize", { protocolVersion: version, capabilities: {} }));
      assert.equal((json as { result: { protocolVersion: string } }).result.protocolVersion, "2025-11-25");
    }
  });

  test("initialize without a protocolVersion is -32602", async () => {
    const { status, json } = await rpc(request("initialize", { capabilities: {} }));
    assert.deepEqual(
      { status, json },
      {
        status: 200,
        json: error(1, -32602, 'Invalid params: initialize needs "protocolVersion" (a string)'),
      },
    );
  });

  test("ping answers exactly {}", async () => {
    const { body } = await rpc(request("ping", undefined, "p"));
    assert.equal(body, '{"jsonrpc":"2.0","id":"p","result":{}}');
  });

  test("the instructions teach the model when to search and when to store", () => {
    for (const phrase of [
      "search_memories",
      "create_memory",
      "update_memory",
      "delete_memory",
      "absolute dates",
    ]) {
      assert.ok(INSTRUCTIONS.includes(phrase), phrase);
    }
  });

  test("tools/list serves every tool with the schemas from schemas/ and full annotations", async () => {
    const { json } = await rpc(request("tools/list"));
    const { tools, ...rest } = (json as { result: { tools: Record<string, unknown>[] } }).result;
    assert.deepEqual(rest, {}, "one page, so no nextCursor");
    assert.deepEqual(
      tools.map((tool) => tool.name),
      TOOL_NAMES,
    );
    for (const tool of tools) {
      const schemas = JSON.parse(
        readFileSync(new URL(`../../schemas/${String(tool.name)}.json`, import.meta.url), "utf8"),
      );
      assert.deepEqual(tool.inputSchema, schemas.input, `${tool.name} input`);
      assert.deepEqual(tool.outputSchema, schemas.output, `${tool.name} output`);
      assert.deepEqual(Object.keys(tool).sort(), [
        "annotations",
        "description",
        "inputSchema",
        "name",
        "outputSchema",
        "title",
      ]);
      const annotations = tool.annotations as Record<string, unknown>;
      assert.deepEqual(Object.keys(annotations).sort(), [
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
        "readOnlyHint",
        "title",
      ]);
      assert.equal(annotations.openWorldHint, false);
      assert.equal(annotations.title, tool.title);
      assert.ok(
        String(tool.description).length > 100,
        `${tool.name} has a description written for the model`,
      );
      assert.equal((tool.inputSchema as { additionalProperties: unknown }).additionalProperties, false);
    }
    const readOnly = tools
      .filter((tool) => (tool.annotations as { readOnlyHint: boolean }).readOnlyHint)
      .map((t) => t.name);
    assert.deepEqual(readOnly, ["search_memories", "list_memories", "get_memory"]);
    const destructive = tools
      .filter((tool) => (tool.annotations as { destructiveHint: boolean }).destructiveHint)
      .map((t) => t.name);
    assert.deepEqual(destructive, ["update_memory", "delete_memory"]);
  });

  test("tools/list refuses a cursor it did not make", async () => {
    for (const cursor of ["abc", 5, "", Buffer.from("tools:x").toString("base64url")]) {
      const { json } = await rpc(request("tools/list", { cursor }));
      assert.deepEqual(
        json,
        error(1, -32602, "Invalid params: unknown cursor for tools/list"),
        String(cursor),
      );
    }
  });

  test("an unknown method is -32601 with HTTP 200", async () => {
    const { status, json } = await rpc(request("resources/list"));
    assert.deepEqual(
      { status, json },
      { status: 200, json: error(1, -32601, "Method not found: resources/list") },
    );
  });

  test("server/discover without the stateless _meta is -32602 and 400", async () => {
    const { status, json } = await rpc(request("server/discover", {}));
    assert.equal(status, 400);
    assert.equal((json as { error: { code: number } }).error.code, -32602);
  });
});
