// Pins down the memory page's keys in a real headless Chromium against the local server of `npm start`: wrong
// keys slowed, then locked out even for the right key; a key retired by a restart with another ends its
// sessions and their forms are refused, while the other key's session goes on; no key in any log line.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FIRST_LOCKOUT_MS, FREE_ATTEMPTS } from "../../src/signin/key-guard.ts";
import {
  advanceClock,
  callTool,
  KEY_A,
  KEY_B,
  logLines,
  openTab,
  server,
  signIn,
  startAgain,
  WRONG_KEY_DELAY_MS,
} from "./browser-support.ts";

describe("keys in Chromium", () => {
  test("a wrong key is refused and slowed; then the page locks, even for the right key", async () => {
    const { context, page } = await openTab();
    try {
      await page.goto(server.pageUrl);
      for (let attempt = 1; attempt <= FREE_ATTEMPTS; attempt++) {
        await page.getByLabel("API key of this server").fill(`wrong-${attempt}`);
        const started = performance.now();
        await Promise.all([
          page.waitForResponse(() => true),
          page.getByRole("button", { name: "Sign in" }).click(),
        ]);
        assert.ok(performance.now() - started >= WRONG_KEY_DELAY_MS, "answered only after the delay");
        await page
          .getByRole("alert")
          .getByText("That is not the API key of this server. Try again.")
          .waitFor();
        assert.equal(
          await page.getByLabel("API key of this server").inputValue(),
          "",
          "the key is not echoed",
        );
      }
      await page.getByLabel("API key of this server").fill(KEY_A);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("Too many attempts with a wrong key. Try again in 1 minute.").waitFor();
      advanceClock(FIRST_LOCKOUT_MS);
      await signIn(page, KEY_A);
    } finally {
      await context.close();
    }
  });

  test("a key retired (the server restarted with another) ends its sessions; their forms are refused", async () => {
    const a = await openTab();
    const b = await openTab();
    try {
      await signIn(a.page, KEY_A);
      await a.page.getByRole("link", { name: /^Edit/ }).first().click();
      const editUrl = new URL(a.page.url());
      const port = Number(editUrl.port);
      await server.close();
      await startAgain(KEY_B, port);
      await signIn(b.page, KEY_B);

      const id = editUrl.pathname.split("/").pop() ?? "";
      const before = (await callTool("get_memory", { id })).memory;
      await a.page.getByLabel("Content").fill("Written with a retired key's session");
      const [response] = await Promise.all([
        a.page.waitForResponse((answer) => answer.request().method() === "POST"),
        a.page.getByRole("button", { name: "Save" }).click(),
      ]);
      assert.equal(response.status(), 403);
      await a.page.getByRole("heading", { level: 1, name: "You are signed out" }).waitFor();
      assert.deepEqual((await callTool("get_memory", { id })).memory, before);
      await a.page.goto(server.pageUrl);
      await a.page.getByLabel("API key of this server").waitFor();
      // The other key's session goes on.
      await b.page.goto(server.pageUrl);
      await b.page.getByRole("heading", { level: 1, name: "Your memories" }).waitFor();
      const leaked = logLines.filter((line) => line.includes(KEY_A) || line.includes(KEY_B));
      assert.deepEqual(leaked, [], "no key in any log line");
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });
});
