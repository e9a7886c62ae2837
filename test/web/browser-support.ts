// Shared by the memory page's tests in Chromium (browser-*.test.ts): Debian's Chromium driven by playwright-core
// and the local server of `npm start` holding 25 realistic memories, started before the importing file's tests
// and stopped after; a clock the server reads that a test may move; and the steps a person takes: open a tab,
// sign in, read the list, and the tool calls Claude would make to check what the page did.
//
// Chromium is Debian's package (scripts/install-chromium.sh); without it these tests fail, never skip.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type LocalServer, startLocalServer } from "../../src/local/server.ts";
import { createLogger } from "../../src/protocol/log.ts";
import fixture from "../fixtures/search/memories.json" with { type: "json" };
import { CHROMIUM_LAUNCH, requireChromium } from "../helpers/chromium.ts";

export const KEY_A = "browser-key-a-0123456789abcdefghijklmnopqrstuvwxyz";
export const KEY_B = "browser-key-b-0123456789abcdefghijklmnopqrstuvwxyz";
export const WRONG_KEY_DELAY_MS = 150;
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** Realistic memories for the screenshots and the search; 25 make two pages of 20. */
export const SEED = fixture.slice(0, 25).map(({ content, tags }) => ({ content, tags }));

let browser: Browser;
let dataDir: string;
/** Where the page flow writes its screenshots, for a person to look at. */
export let screenshots: string;
/** The local server of `npm start`; startAgain replaces it. */
export let server: LocalServer;
let clockOffset = 0;
/** Every log line the servers wrote. */
export const logLines: string[] = [];

before(async () => {
  requireChromium();
  browser = await chromium.launch(CHROMIUM_LAUNCH);
  dataDir = mkdtempSync(join(tmpdir(), "memory-page-"));
  screenshots = process.env.MEMORY_PAGE_SCREENSHOTS ?? join(dataDir, "screenshots");
  mkdirSync(screenshots, { recursive: true });
  server = await start(KEY_A, 0);
  for (const memory of [...SEED].reverse()) await callTool("create_memory", memory);
});

after(async () => {
  await server?.close();
  await browser?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function start(apiKey: string, port: number): Promise<LocalServer> {
  return startLocalServer({
    port,
    dataDir,
    apiKey,
    logger: createLogger((line) => logLines.push(line)),
    oauth: { now: () => Date.now() + clockOffset, wrongKeyDelayMs: WRONG_KEY_DELAY_MS },
  });
}

/** Starts the server again on `port` with another key, as a restart after a key change would. */
export async function startAgain(apiKey: string, port: number): Promise<void> {
  server = await start(apiKey, port);
}

/** Moves the server's clock on by `ms`. */
export function advanceClock(ms: number): void {
  clockOffset += ms;
}

/** A tool call through /mcp, as Claude makes it: the page and the tools must agree on everything. */
export async function callTool(
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
  const reply = (await response.json()) as {
    result: { structuredContent: Record<string, unknown>; isError?: boolean };
  };
  return reply.result.isError === true ? { error: true } : reply.result.structuredContent;
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors (a CSP violation shows up here). */
  errors: string[];
}

export async function openTab(viewport = DESKTOP): Promise<Tab> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, errors };
}

export async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(server.pageUrl);
  await page.getByLabel("API key of this server").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Your memories" }).waitFor();
}

/** The contents shown in the list, in order. */
export function listed(page: Page): Promise<string[]> {
  return page
    .locator("ol.memories > li article")
    .evaluateAll((items) => items.map((item) => (item.querySelector(".content")?.textContent ?? "").trim()));
}
