// Subject "sdk-v2", the modern official entry: SDK v2 (@modelcontextprotocol/server) createMcpHandler with
// JSON responses, a fresh McpServer per request from the factory, behind a web-standard Request/Response
// adapter for Function URL events. 2025-era clients (initialize ...) are served by its stateless legacy leg.
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { authorised, callTool, INSTRUCTIONS, SERVER_IDENTITY, toolDefinitions } from "./memory-tools.ts";

function buildServer(): McpServer {
  const server = new McpServer(SERVER_IDENTITY, { instructions: INSTRUCTIONS });
  for (const { name, ...config } of toolDefinitions) {
    server.registerTool(name, config, (args: unknown) => callTool(name, args));
  }
  return server;
}

const mcp = createMcpHandler(() => buildServer(), { responseMode: "json" });

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  if (!authorised(event.headers.authorization)) {
    return {
      statusCode: 401,
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Unauthorized"}}',
    };
  }
  const query = event.rawQueryString === "" ? "" : `?${event.rawQueryString}`;
  const body =
    event.body === undefined
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, "base64")
        : event.body;
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers))
    if (value !== undefined) headers.set(name, value);
  const response = await mcp.fetch(
    new Request(`https://${event.requestContext.domainName}${event.rawPath}${query}`, {
      method: event.requestContext.http.method,
      headers,
      ...(body === undefined ? {} : { body }),
    }),
  );
  return {
    statusCode: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}
