// `npm start`: runs the local server until Ctrl-C and prints how to talk to it.
import { nodeVersionNote } from "./node-version.ts";
import { startLocalServer } from "./server.ts";

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}
const dataDir = process.env.DATA_DIR ?? ".data";
// On Node 20 the AWS SDK prints seven lines about its future Node support when the client is made; one line
// of ours below says the same. A value the user set themselves is left alone, and then so is their console.
const SDK_WARNING = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";
const versionNote = process.env[SDK_WARNING] === undefined ? nodeVersionNote(process.version) : undefined;
process.env[SDK_WARNING] ??= "true";

let server: Awaited<ReturnType<typeof startLocalServer>>;
try {
  server = await startLocalServer({ port, dataDir, apiKey: process.env.MCP_API_KEY });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code; // node's system errors carry a code
  console.error(
    code === "EADDRINUSE"
      ? `Port ${port} is in use: set PORT to another one, e.g. PORT=3001 npm start`
      : `Could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

const { url, pageUrl, apiKey, keyGenerated } = server;
const keyNote = process.env.MCP_API_KEY
  ? "(from MCP_API_KEY)"
  : keyGenerated
    ? `(generated and saved to ${dataDir}/api-key)`
    : `(from ${dataDir}/api-key)`;
process.stderr.write(
  [
    "",
    `memory-mcp-lambda is running locally (embedded DynamoDB, data in ${dataDir})`,
    ...(versionNote === undefined ? [] : [versionNote]),
    "",
    `  endpoint  ${url}`,
    `  page      ${pageUrl}  (see and edit your memories; sign in with the API key)`,
    `  API key   ${apiKey}  ${keyNote}`,
    "",
    "Try it:",
    `  curl -s ${url} -H 'Authorization: Bearer ${apiKey}' -H 'Content-Type: application/json' \\`,
    `    -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'`,
    "",
    "Connect Claude Code:",
    `  claude mcp add --transport http memory ${url} --header "Authorization: Bearer ${apiKey}"`,
    "",
    "Connect an OAuth client (MCP Inspector, the MCP SDKs): give it the bare URL below, nothing else;",
    "it registers itself, and the sign-in page it opens asks for the API key above once:",
    `  ${url}`,
    "",
    `Ctrl-C stops it; your memories stay in ${dataDir}.`,
    "",
  ].join("\n"),
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write("\nStopping: closing the server and flushing the database...\n");
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
