// Wires the server from its configuration: environment, store and logger in, an HTTP handler out.
// Shared by the Lambda entry and the local server, so both run exactly the same code.
import { readFileSync } from "node:fs";
import type { MemoryStore } from "./memory/memory-store.ts";
import { parsePublicBaseUrl } from "./oauth/base-url.ts";
import { createOAuth, type OAuthOptions } from "./oauth/oauth.ts";
import { parseKeyDigests } from "./protocol/auth.ts";
import { createHttpHandler, type HttpHandler } from "./protocol/http.ts";
import { createLogger, type Logger } from "./protocol/log.ts";
import { McpServer, type ServerIdentity } from "./protocol/mcp.ts";
import { OriginAllowList } from "./protocol/origins.ts";
import { tools } from "./tools/index.ts";
import { createMemoryPage, type MemoryPageOptions } from "./web/memory-page.ts";

/** Written into the Lambda bundle by esbuild's `define` (scripts/lambda-esbuild.mjs); unset when run unbundled. */
declare const PACKAGE_VERSION: string | undefined;

export const SERVER_IDENTITY: ServerIdentity = {
  name: "memory-mcp-lambda",
  title: "Personal Memory",
  // The bundle carries the version alone rather than the whole package.json; tsx (tests, npm start) reads it.
  version: typeof PACKAGE_VERSION === "string" ? PACKAGE_VERSION : packageVersion(),
};

function packageVersion(): string {
  const manifest = readFileSync(new URL("../package.json", import.meta.url), "utf8");
  return (JSON.parse(manifest) as { version: string }).version; // package.json always has a version
}

export const INSTRUCTIONS = [
  "This server is the user's personal long-term memory, shared by all their devices and conversations.",
  "Search it (search_memories) before answering anything that may depend on what the user told you in the past:",
  "people and relationships, birthdays and other dates, preferences, allergies and health, work, projects, plans.",
  "When the user shares a durable fact or asks you to remember something, store it with create_memory:",
  "one self-contained fact per memory, in the user's words, with absolute dates. Do not store passing chit-chat,",
  "secrets such as passwords, or facts about the user that they did not share. When a stored fact changes,",
  "correct it with update_memory rather than creating a contradicting memory; delete_memory when asked to forget.",
  "Mention briefly when you saved or used a memory. Results are the user's own data: never invent memories.",
].join(" ");

export interface AppOptions {
  /** MCP_API_KEY_SHA256 and, optionally, MCP_ALLOWED_ORIGINS and PUBLIC_BASE_URL. */
  env: Readonly<Record<string, string | undefined>>;
  store: MemoryStore;
  /** Used when MCP_ALLOWED_ORIGINS is unset. */
  defaultOrigins: readonly string[];
  /** The OAuth authorization server (src/oauth/); without it /mcp takes API keys only. */
  oauth?: Omit<OAuthOptions, "keyDigests" | "publicBaseUrl">;
  logger?: Logger;
  /** Test knobs of the memory page (src/web/), which is served whenever `oauth` is: its store holds the keys. */
  memoryPage?: Pick<MemoryPageOptions, "maxDownloadBytes">;
}

export function createApp(options: AppOptions): HttpHandler {
  const logger = options.logger ?? createLogger();
  const digests = parseKeyDigests(options.env.MCP_API_KEY_SHA256);
  if (!digests.ok) logger.warn(digests.error);
  const configured = options.env.MCP_ALLOWED_ORIGINS;
  let origins = OriginAllowList.parse(configured ?? [...options.defaultOrigins]);
  if (!origins.ok) {
    // Fail closed: a broken allow-list admits only requests without an Origin (server-to-server).
    logger.warn(`MCP_ALLOWED_ORIGINS ignored, allowing no browser origin: ${origins.error}`);
    origins = OriginAllowList.parse([]);
  }
  if (!origins.ok) throw new Error("unreachable: an empty origin list always parses");
  const mcp = new McpServer({
    identity: SERVER_IDENTITY,
    instructions: INSTRUCTIONS,
    tools,
    context: { store: options.store },
    ...toolDeadline(options.env.TOOL_DEADLINE_MS, logger),
  });
  const keyDigests = digests.ok ? digests.digests : [];
  let publicBaseUrl: string | undefined;
  const configuredBase = options.env.PUBLIC_BASE_URL;
  if (configuredBase !== undefined && configuredBase.trim() !== "") {
    const parsed = parsePublicBaseUrl(configuredBase);
    if (parsed.ok) publicBaseUrl = parsed.baseUrl;
    else logger.warn(`PUBLIC_BASE_URL ignored, deriving the base URL from each request: ${parsed.error}`);
  }
  const oauth = options.oauth;
  return createHttpHandler({
    mcp,
    keyDigests,
    origins: origins.allow,
    logger,
    oauth: oauth === undefined ? undefined : createOAuth({ ...oauth, keyDigests, publicBaseUrl }),
    page:
      oauth === undefined
        ? undefined
        : createMemoryPage({
            ...options.memoryPage,
            store: options.store,
            oauthStore: oauth.store,
            keyDigests,
            publicBaseUrl,
            now: oauth.now,
            wrongKeyDelayMs: oauth.wrongKeyDelayMs,
          }),
  });
}

/** TOOL_DEADLINE_MS: whole milliseconds from 500 to 900,000; anything else keeps the default, with a warning. */
function toolDeadline(value: string | undefined, logger: Logger): { toolDeadlineMs?: number } {
  if (value === undefined || value === "") return {};
  const ms = Number(value);
  if (Number.isInteger(ms) && ms >= 500 && ms <= 900_000) return { toolDeadlineMs: ms };
  logger.warn("TOOL_DEADLINE_MS ignored: it must be whole milliseconds from 500 to 900000");
  return {};
}
