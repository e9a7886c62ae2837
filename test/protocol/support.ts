// Shared by the tests of the transport and the protocol through the real Lambda handler (http-*.test.ts,
// mcp-*.test.ts): one Lambda for the importing file, loaded before its tests and stopped after them; the
// messages and answers the HTTP tests send and expect; and the MCP tests' request and error builders.
import { after, before } from "node:test";
import { SERVER_IDENTITY } from "../../src/app.ts";
import { functionUrlEvent } from "../fixtures/events.ts";
import { type LambdaUnderTest, loadLambda } from "../helpers/lambda.ts";

/** The importing file's Lambda: set before its first test. */
export let lambda: LambdaUnderTest;
before(async () => {
  lambda = await loadLambda();
});
after(async () => {
  await lambda.stop();
});

// --- HTTP -------------------------------------------------------------------------------------------

export const PING = { jsonrpc: "2.0", id: 1, method: "ping" };
export const PONG = { jsonrpc: "2.0", id: 1, result: {} };
export const JSON_TYPE = { "content-type": "application/json" };

export function rpcError(code: number, message: string, id: unknown = null): unknown {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

// --- MCP --------------------------------------------------------------------------------------------

export const SERVER_META = { "io.modelcontextprotocol/serverInfo": SERVER_IDENTITY };

export async function rpc(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; body: string }> {
  const { status, json, body: text } = await lambda.invoke(functionUrlEvent({ body, headers }));
  return { status, json, body: text };
}

export function request(method: string, params?: unknown, id: unknown = 1): unknown {
  return params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };
}

export function error(id: unknown, code: number, message: string, data?: unknown): unknown {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}
