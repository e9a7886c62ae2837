// The key that signs list cursors. Cursors only need to be tamper-evident (a forged one must be a
// clear error), not secret, so the key is derived from configuration the function already has.
import { createHash } from "node:crypto";

export function cursorSecretFrom(env: Readonly<Record<string, string | undefined>>): Buffer {
  return createHash("sha256")
    .update(`memory-mcp-lambda cursor v1\0${env.TABLE_NAME ?? ""}\0${env.MCP_API_KEY_SHA256 ?? ""}`)
    .digest();
}
