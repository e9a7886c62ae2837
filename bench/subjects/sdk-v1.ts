// Subject "sdk-v1", the common recipe: the official SDK v1 McpServer and StreamableHTTPServerTransport,
// stateless (a fresh server and transport per request, as in the SDK's simpleStatelessStreamableHttp
// example) with JSON responses, inside Express, adapted to Lambda by serverless-http.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import express from "express";
import serverless from "serverless-http";
import { authorised, callTool, INSTRUCTIONS, SERVER_IDENTITY, toolDefinitions } from "./memory-tools.ts";

function buildServer(): McpServer {
  const server = new McpServer(SERVER_IDENTITY, { instructions: INSTRUCTIONS });
  for (const { name, ...config } of toolDefinitions) {
    server.registerTool(name, config, (args: unknown) => callTool(name, args));
  }
  return server;
}

const app = express();
app.use(express.json({ limit: "256kb" }));
app.post("/mcp", async (req, res) => {
  if (!authorised(req.headers.authorization)) {
    res.status(401).json({ jsonrpc: "2.0", id: null, error: { code: -32_001, message: "Unauthorized" } });
    return;
  }
  const server = buildServer();
  // Stateless: no sessionIdGenerator (the SDK example spells it `sessionIdGenerator: undefined`, which the
  // strict optional property types here do not accept; absent is the same thing).
  const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
  res.on("close", () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

export const handler = serverless(app, {
  // serverless-http fills req.headers but leaves req.rawHeaders empty, and the SDK's Node transport builds its
  // web Request from rawHeaders (via @hono/node-server), so without this every request gets 415/406. The
  // usual fix (https://github.com/ttoss/ttoss/pull/1089):
  request(req: { headers: Record<string, string>; rawHeaders: string[] }) {
    req.rawHeaders = Object.entries(req.headers).flatMap(([name, value]) => [name, String(value)]);
  },
});
