// Pins down the memory page as a person uses it, in a real headless Chromium (Debian's package driven by
// playwright-core) against the local server of `npm start`: sign in, browse two pages, filter by a tag,
// search (the very ranking of search_memories), edit, meet a version conflict, delete after a confirmation,
// download; hostile contents inert; a form without its CSRF token refused; no serious or critical axe-core
// finding; screenshots at desktop and 390 px phone widths (written to MEMORY_PAGE_SCREENSHOTS, or a temporary
// folder, for a person to look at). The tests run in order, each on the page the one before left.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import {
  callTool,
  DESKTOP,
  KEY_A,
  listed,
  openTab,
  PHONE,
  SEED,
  screenshots,
  server,
  signIn,
  type Tab,
} from "./browser-support.ts";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const HOSTILE = [
  "<script>window.__pwned = 'script'</script> stays text",
  '"><img src=x onerror="window.__pwned = \'img\'"> stays text',
  "[click me](javascript:window.__pwned='link') and javascript:alert(1) stay text",
  "Bidi \u202Etxt.exe\u202C and \u2067isolate stay inside their box",
  "A line of 10,000 characters: ".padEnd(10_000, "0123456789"),
];

/** axe-core's serious and critical findings on the page as it is now. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP (no script at all) does not govern.
  await page.evaluate(AXE_SOURCE);
  // Strings, not functions, for the page's side: the project's TypeScript has no DOM library.
  const { violations, passes } = (await page.evaluate(
    "axe.run().then((result) => ({ passes: result.passes.length, violations: result.violations.map(({ id, impact, nodes }) => ({ id, impact, count: nodes.length })) }))",
  )) as { passes: number; violations: { id: string; impact: string; count: number }[] }; // the shape built above
  assert.ok(passes > 10, `axe-core ran its rules on ${page.url()}`);
  return violations
    .filter(({ impact }) => impact === "serious" || impact === "critical")
    .map(({ id, impact, count }) => `${page.url()}: ${id} (${impact}, ${count})`);
}

describe("the memory page in Chromium", () => {
  let tab: Tab;
  const axeProblems: string[] = [];

  before(async () => {
    tab = await openTab();
  });
  after(async () => {
    await tab.context.close();
  });

  test("signs in with the API key; the key is in no URL and no page", async () => {
    const { page } = tab;
    await page.goto(server.pageUrl);
    axeProblems.push(...(await accessibilityProblems(page)));
    assert.equal(await page.getByLabel("API key of this server").getAttribute("type"), "password");
    await signIn(page, KEY_A);
    assert.equal(page.url(), server.pageUrl);
    assert.ok(!(await page.content()).includes(KEY_A));
    const cookies = await tab.context.cookies();
    const session = cookies.find((cookie) => cookie.name === "memories-session");
    assert.ok(session !== undefined, "a session cookie");
    assert.deepEqual(
      { httpOnly: session.httpOnly, sameSite: session.sameSite, secure: session.secure },
      { httpOnly: true, sameSite: "Strict", secure: false }, // plain http on loopback
    );
    assert.ok(session.expires * 1000 <= Date.now() + 12 * 60 * 60_000 + 5_000, "at most 12 hours");
  });

  test("browses two pages, newest first, with the same cursors as list_memories", async () => {
    const { page } = tab;
    const first = await listed(page);
    assert.deepEqual(
      first,
      SEED.slice(0, 20).map(({ content }) => content),
    );
    axeProblems.push(...(await accessibilityProblems(page)));
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: join(screenshots, "memory-page-desktop.png") });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(screenshots, "memory-page-phone.png") });
    const width = (await page.evaluate("document.documentElement.scrollWidth")) as number; // a number by definition
    assert.ok(width <= PHONE.width, `no sideways scrolling at 390 px (${width} px wide)`);
    await page.setViewportSize(DESKTOP);

    const tool = await callTool("list_memories", { limit: 20 });
    await page.getByRole("link", { name: "Older memories" }).click();
    assert.equal(new URL(page.url()).searchParams.get("cursor"), tool.nextCursor);
    assert.deepEqual(
      await listed(page),
      SEED.slice(20).map(({ content }) => content),
    );
    assert.equal(await page.getByRole("link", { name: "Older memories" }).count(), 0);
    await page.getByRole("link", { name: "Newest memories" }).click();
    assert.deepEqual(await listed(page), first);
  });

  test("a tag is a filter link", async () => {
    const { page } = tab;
    const tag = "maya";
    await page
      .getByRole("link", { name: `Show memories tagged ${tag}` })
      .first()
      .click();
    await page.getByRole("heading", { level: 1, name: `Memories tagged ${tag}` }).waitFor();
    const expected = SEED.filter(({ tags }) => tags.includes(tag)).map(({ content }) => content);
    assert.ok(expected.length >= 2);
    assert.deepEqual(await listed(page), expected);
  });

  test("search ranks exactly as search_memories, with the matching snippet", async () => {
    const { page } = tab;
    await page.goto(server.pageUrl);
    const query = "when is my daughter's birthday";
    await page.getByRole("searchbox", { name: "Search" }).fill(query);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { level: 1, name: "Search results" }).waitFor();
    const shown = await page.locator("ol.memories > li").evaluateAll((items) =>
      items.map((item) => ({
        id: item.querySelector(".actions a")?.getAttribute("href")?.split("/").pop(),
        snippet: item.querySelector(".content")?.textContent,
      })),
    );
    const tool = (await callTool("search_memories", { query })) as {
      results: { id: string; snippet: string; snippetTruncated: boolean }[];
    };
    assert.ok(tool.results.length > 0);
    assert.deepEqual(
      shown,
      tool.results.map(({ id, snippet, snippetTruncated }) => ({
        id,
        snippet: `${snippet}${snippetTruncated ? " …" : ""}`,
      })),
    );
    assert.match(shown[0]?.snippet ?? "", /Maya was born on 14 March 2017/);
    axeProblems.push(...(await accessibilityProblems(page)));
  });

  test("edits content and tags, carrying the version it was read at", async () => {
    const { page } = tab;
    await page.goto(server.pageUrl);
    await page.getByRole("link", { name: /^Edit/ }).first().click();
    await page.getByRole("heading", { level: 1, name: "Edit a memory" }).waitFor();
    axeProblems.push(...(await accessibilityProblems(page)));
    const id = page.url().split("/").pop() ?? "";
    await page.getByLabel("Content").fill("Edited in the browser: Maya's party is on Saturday.");
    await page.getByLabel("Tags").fill("Family, party");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved (version 2).").waitFor();
    const stored = (await callTool("get_memory", { id })).memory as Record<string, unknown>;
    assert.deepEqual(
      { content: stored.content, tags: stored.tags, version: stored.version },
      {
        content: "Edited in the browser: Maya's party is on Saturday.",
        tags: ["family", "party"],
        version: 2,
      },
    );
  });

  test("a conflicting edit is shown, not written; saving again is a decision", async () => {
    const { page } = tab;
    const id = page.url().split("/").pop()?.split("?")[0] ?? "";
    await page.getByLabel("Content").fill("My edit, made on an old copy.");
    await callTool("update_memory", { id, content: "Changed by Claude meanwhile." });
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("This memory was changed elsewhere since you opened it").waitFor();
    assert.equal(await page.locator(".stored .content").textContent(), "Changed by Claude meanwhile.");
    assert.equal(await page.getByLabel("Content").inputValue(), "My edit, made on an old copy.");
    const kept = (await callTool("get_memory", { id })).memory as Record<string, unknown>;
    assert.deepEqual(
      { content: kept.content, version: kept.version },
      { content: "Changed by Claude meanwhile.", version: 3 },
    );
    axeProblems.push(...(await accessibilityProblems(page)));
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved (version 4).").waitFor();
    assert.equal(
      ((await callTool("get_memory", { id })).memory as Record<string, unknown>).content,
      "My edit, made on an old copy.",
    );
  });

  test("deletes only after a confirmation", async () => {
    const { page } = tab;
    await page.goto(server.pageUrl);
    const victim = (await listed(page))[1];
    await page
      .getByRole("link", { name: /^Delete/ })
      .nth(1)
      .click();
    await page.getByRole("heading", { level: 1, name: "Delete this memory?" }).waitFor();
    axeProblems.push(...(await accessibilityProblems(page)));
    const id = page.url().split("/").at(-2) ?? "";
    await page.getByRole("link", { name: "Keep it" }).click();
    assert.ok(!("error" in (await callTool("get_memory", { id }))), "kept");
    await page.goto(`${server.pageUrl}/${id}/delete`);
    await page.getByRole("button", { name: "Delete for good" }).click();
    await page.getByText("The memory was deleted.").waitFor();
    assert.deepEqual(await callTool("get_memory", { id }), { error: true });
    assert.ok(!(await listed(page)).includes(victim ?? ""));
  });

  test("downloads everything as JSONL", async () => {
    const { page } = tab;
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download all (JSONL)" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^memories-\d{4}-\d{2}-\d{2}\.jsonl$/);
    const lines = readFileSync(await download.path(), "utf8")
      .trimEnd()
      .split("\n");
    assert.equal(lines.length, SEED.length - 1);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const memory of parsed)
      assert.deepEqual(Object.keys(memory), ["id", "content", "tags", "createdAt", "updatedAt", "version"]);
    const newest = (await callTool("list_memories", { limit: 1 })).memories as { id: string }[];
    assert.equal(parsed[0]?.id, newest[0]?.id);
  });

  test("hostile contents stay inert text, and the page stays readable at 390 px", async () => {
    const { page, errors } = tab;
    errors.length = 0; // the 409 of the conflict above is logged as a failed load; from here on, nothing may be
    for (const content of HOSTILE) {
      const created = await callTool("create_memory", { content, tags: ['"><b>tag</b>'] });
      assert.ok(!("error" in created), `stored: ${content.slice(0, 40)}`);
    }
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(server.pageUrl);
      const shown = await page
        .locator("ol.memories > li")
        .evaluateAll((items) => items.map((item) => item.querySelector(".content")?.textContent ?? ""));
      // Newest first; the 10,000-character line is folded, so its head shows.
      assert.deepEqual(shown.slice(1, 5), HOSTILE.slice(0, 4).reverse());
      assert.ok(shown[0]?.startsWith("A line of 10,000 characters: 0123456789"));
      const state = (await page.evaluate(`({
        pwned: window.__pwned ?? null,
        scripts: document.scripts.length,
        images: document.images.length,
        javascriptLinks: [...document.links].filter((link) => link.protocol === "javascript:").length,
        bold: document.querySelectorAll("main b").length,
        width: document.documentElement.scrollWidth,
        bidi: getComputedStyle(document.querySelector(".content")).unicodeBidi,
      })`)) as { width: number }; // the object literal above
      assert.deepEqual(state, {
        pwned: null,
        scripts: 0,
        images: 0,
        javascriptLinks: 0,
        bold: 0,
        width: Math.min(state.width, viewport.width),
        bidi: "isolate",
      });
      assert.ok(state.width <= viewport.width, `no sideways scrolling at ${viewport.width} px`);
      axeProblems.push(...(await accessibilityProblems(page)));
    }
    await page.setViewportSize(DESKTOP);
    // The long one unfolds whole, without script.
    await page.locator("details summary").first().click();
    assert.equal(
      await page
        .locator("details")
        .first()
        .evaluate((details) =>
          details.textContent?.replace(/… show all [\d,]+ characters/, "").replace(/\s+/g, ""),
        ),
      HOSTILE[4]?.replace(/\s+/g, ""),
    );
    assert.deepEqual(errors, []);
  });

  test("a form whose CSRF token was removed is refused", async () => {
    const { page } = tab;
    await page.goto(server.pageUrl);
    await page.getByRole("link", { name: /^Edit/ }).first().click();
    const id = page.url().split("/").pop() ?? "";
    const before = (await callTool("get_memory", { id })).memory;
    await page.locator('main form[method="post"] input[name="csrf"]').evaluate((input) => input.remove());
    await page.getByLabel("Content").fill("Sent without a token");
    const [response] = await Promise.all([
      page.waitForResponse((answer) => answer.request().method() === "POST"),
      page.getByRole("button", { name: "Save" }).click(),
    ]);
    assert.equal(response.status(), 403);
    await page.getByRole("heading", { level: 1, name: "This form was refused" }).waitFor();
    assert.deepEqual((await callTool("get_memory", { id })).memory, before);
  });

  test("no serious or critical accessibility finding on any page visited", () => {
    assert.deepEqual(axeProblems, []);
  });
});
