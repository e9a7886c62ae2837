// Pins down the memory page's security through the real app on dynalite (the browser tests drive the same page
// in Chromium): the session cookie's attributes and 12-hour life, retired keys ending their sessions, CSRF
// tokens bound to one session, foreign forms, the shared wrong-key delay and lockout, the key kept out of logs
// and pages, and the JSONL download with its size limit.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { toJsonLine } from "../../src/memory/jsonl.ts";
import { FIRST_LOCKOUT_MS, FREE_ATTEMPTS } from "../../src/signin/key-guard.ts";
import { SESSION_LIFETIME_MS } from "../../src/web/session.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import { BASE, cookiePair, csrfOf, KEY_A, KEY_B, signIn, startPageHarness } from "./support.ts";

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

function isSignInPage(body: string): boolean {
  return body.includes('<form method="post" action="/memories/sign-in">');
}

describe("the session cookie", () => {
  test("off loopback: __Host- prefixed, HttpOnly, SameSite=Strict, Secure, 12 hours at most", async () => {
    const harness = await startPageHarness(database);
    const form = await harness.call({ path: "/memories" });
    assert.match(
      form.cookies?.join("\n") ?? "",
      /^__Host-memories-sign-in=[\w-]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Strict; Secure$/,
    );
    const signedIn = await harness.call({
      path: "/memories/sign-in",
      cookie: cookiePair(form),
      form: { csrf: csrfOf(form.body), api_key: KEY_A },
    });
    assert.deepEqual(
      { status: signedIn.status, location: signedIn.headers.location },
      { status: 303, location: "/memories" },
    );
    const [session, ...others] = signedIn.cookies ?? [];
    assert.match(
      session ?? "",
      /^__Host-memories-session=[\w.-]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict; Secure$/,
    );
    assert.deepEqual(others, [
      "__Host-memories-sign-in=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure",
    ]);
  });

  test("on loopback (npm start): the same cookie without Secure, so plain http works", async () => {
    const harness = await startPageHarness(database, { publicBaseUrl: "http://127.0.0.1:3000" });
    const form = await harness.call({ path: "/memories" });
    assert.match(
      form.cookies?.join("\n") ?? "",
      /^memories-sign-in=[\w-]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Strict$/,
    );
  });

  test("a session ends after 12 hours even if the browser keeps the cookie", async () => {
    const harness = await startPageHarness(database);
    const { cookie } = await signIn(harness, KEY_A);
    harness.advance(SESSION_LIFETIME_MS - 1000);
    assert.ok(!isSignInPage((await harness.call({ path: "/memories", cookie })).body));
    harness.advance(1000);
    const expired = await harness.call({ path: "/memories", cookie });
    assert.equal(expired.status, 200);
    assert.ok(isSignInPage(expired.body), "signed out");
  });

  test("an altered cookie is no session", async () => {
    const harness = await startPageHarness(database);
    const { cookie } = await signIn(harness, KEY_A);
    const [kid, payload, signature] = cookie.split("=")[1]?.split(".") ?? [];
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
    const forged = Buffer.from(
      JSON.stringify({ ...claims, e: Date.now() + 10 * SESSION_LIFETIME_MS }),
    ).toString("base64url");
    const answer = await harness.call({
      path: "/memories",
      cookie: `__Host-memories-session=${kid}.${forged}.${signature}`,
    });
    assert.ok(isSignInPage(answer.body));
  });

  test("signing out clears the cookie", async () => {
    const harness = await startPageHarness(database);
    const { cookie, csrf } = await signIn(harness, KEY_A);
    const out = await harness.call({ path: "/memories/sign-out", cookie, form: { csrf } });
    assert.equal(out.status, 303);
    assert.match(out.cookies?.join("\n") ?? "", /^__Host-memories-session=; Max-Age=0; Path=\/; HttpOnly/);
  });
});

describe("keys", () => {
  test("a key retired from MCP_API_KEY_SHA256 ends its sessions; the other key's go on", async () => {
    const both = await startPageHarness(database, { apiKeys: [KEY_A, KEY_B] });
    const a = await signIn(both, KEY_A);
    const b = await signIn(both, KEY_B);
    const retired = await startPageHarness(database, { apiKeys: [KEY_B], sameTableAs: both });
    assert.ok(isSignInPage((await retired.call({ path: "/memories", cookie: a.cookie })).body));
    const stillIn = await retired.call({ path: "/memories", cookie: b.cookie });
    assert.ok(!isSignInPage(stillIn.body));
    const write = await retired.call({
      path: "/memories/sign-out",
      cookie: a.cookie,
      form: { csrf: a.csrf },
    });
    assert.equal(write.status, 403, "no POST either");
  });

  test("a POST without the CSRF token, or with another session's, changes nothing", async () => {
    const harness = await startPageHarness(database, { apiKeys: [KEY_A, KEY_B] });
    const { memory } = await harness.memoryStore.create("The original text", ["kept"]);
    const a = await signIn(harness, KEY_A);
    const b = await signIn(harness, KEY_B);
    const edit = { content: "Overwritten", tags: "", version: "1" };
    for (const form of [edit, { ...edit, csrf: "" }, { ...edit, csrf: b.csrf }]) {
      const answer = await harness.call({ path: `/memories/${memory.id}`, cookie: a.cookie, form });
      assert.equal(answer.status, 403);
      assert.match(answer.body, /This form was refused/);
    }
    const deleted = await harness.call({
      path: `/memories/${memory.id}/delete`,
      cookie: a.cookie,
      form: { csrf: b.csrf },
    });
    assert.equal(deleted.status, 403);
    assert.deepEqual(await harness.memoryStore.get(memory.id), memory);
    assert.ok(harness.logs.some((line) => line.includes('"oauthError":"csrf_refused"')));
  });

  test("a form from another origin is refused before anything is read", async () => {
    const harness = await startPageHarness(database);
    const { memory } = await harness.memoryStore.create("Stays", []);
    const { cookie, csrf } = await signIn(harness, KEY_A);
    const answer = await harness.call({
      path: `/memories/${memory.id}/delete`,
      cookie,
      form: { csrf },
      headers: { origin: "https://evil.example" },
    });
    assert.equal(answer.status, 403);
    assert.ok(await harness.memoryStore.get(memory.id));
    // Its own forms (Origin "null" under no-referrer, or the page's origin) go through.
    const own = await harness.call({
      path: `/memories/${memory.id}/delete`,
      cookie,
      form: { csrf },
      headers: { origin: BASE },
    });
    assert.equal(own.status, 303);
  });

  test("the sign-in form needs its cookie: a token alone, from another browser, is refused", async () => {
    const harness = await startPageHarness(database);
    const form = await harness.call({ path: "/memories" });
    const answer = await harness.call({
      path: "/memories/sign-in",
      form: { csrf: csrfOf(form.body), api_key: KEY_A },
    });
    assert.equal(answer.status, 403);
    assert.match(answer.body, /This sign-in form has expired or did not come from this page/);
    assert.equal(answer.headers.location, undefined);
  });

  test("wrong keys are slowed, then locked out with the consent page's counter; the right key waits too", async () => {
    const delay = 120;
    const harness = await startPageHarness(database, { wrongKeyDelayMs: delay });
    let form = await harness.call({ path: "/memories" });
    for (let attempt = 1; attempt <= FREE_ATTEMPTS; attempt++) {
      const started = performance.now();
      const wrong = await harness.call({
        path: "/memories/sign-in",
        cookie: cookiePair(form),
        form: { csrf: csrfOf(form.body), api_key: `guess-${attempt}` },
      });
      assert.ok(performance.now() - started >= delay - 5, "a wrong key is answered only after the delay");
      assert.equal(wrong.status, 403);
      assert.match(
        wrong.body,
        /<p class="error" id="key-error" role="alert">That is not the API key of this server/,
      );
      assert.match(wrong.body, /aria-invalid="true"/);
      form = wrong;
    }
    const locked = await harness.call({
      path: "/memories/sign-in",
      cookie: cookiePair(form),
      form: { csrf: csrfOf(form.body), api_key: KEY_A },
    });
    assert.equal(locked.status, 429);
    assert.equal(locked.headers["retry-after"], String(FIRST_LOCKOUT_MS / 1000));
    assert.match(locked.body, /Too many attempts with a wrong key\. Try again in 1 minute\./);
    assert.equal(
      (await harness.oauthStore.getConsentGuard())?.attempts,
      FREE_ATTEMPTS,
      "the consent page's counter",
    );
    harness.advance(FIRST_LOCKOUT_MS);
    await signIn(harness, KEY_A);
    assert.equal(await harness.oauthStore.getConsentGuard(), undefined, "the right key clears the counter");
  });

  test("the key appears in no log line, no page and no redirect", async () => {
    const harness = await startPageHarness(database);
    await harness.memoryStore.create("Something to list", ["x"]);
    const form = await harness.call({ path: "/memories" });
    const wrong = await harness.call({
      path: "/memories/sign-in",
      cookie: cookiePair(form),
      form: { csrf: csrfOf(form.body), api_key: `${KEY_A}-almost` },
    });
    const right = await harness.call({
      path: "/memories/sign-in",
      cookie: cookiePair(wrong),
      form: { csrf: csrfOf(wrong.body), api_key: KEY_A },
    });
    const page = await harness.call({ path: "/memories", cookie: cookiePair(right) });
    const everything = [
      ...harness.logs,
      ...[form, wrong, right, page].map((answer) => JSON.stringify(answer)),
    ].join("\n");
    assert.ok(!everything.includes(KEY_A), "the key leaked");
    assert.ok(harness.logs.some((line) => line.includes('"endpoint":"memories"')));
  });
});

describe("the page's answers", () => {
  test("every page carries the CSP without script, frame-ancestors 'none' and no-referrer", async () => {
    const harness = await startPageHarness(database);
    const { cookie } = await signIn(harness, KEY_A);
    for (const answer of [
      await harness.call({ path: "/memories" }),
      await harness.call({ path: "/memories", cookie }),
    ]) {
      assert.match(
        answer.headers["content-security-policy"] ?? "",
        /^default-src 'none'; style-src 'sha256-[\w+/=]+'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/,
      );
      assert.equal(answer.headers["referrer-policy"], "no-referrer");
      assert.equal(answer.headers["x-frame-options"], "DENY");
      assert.equal(answer.headers["cache-control"], "no-store");
      assert.doesNotMatch(answer.body, /<script/i);
    }
  });

  test("download: every memory as one JSONL line, newest first, as an attachment", async () => {
    const harness = await startPageHarness(database);
    const first = (await harness.memoryStore.create('First "quoted" line\nand a second', ["a"])).memory;
    const second = (await harness.memoryStore.create("Second", [])).memory;
    const { cookie } = await signIn(harness, KEY_A);
    const download = await harness.call({ path: "/memories/export.jsonl", cookie });
    assert.equal(download.status, 200);
    assert.equal(download.headers["content-type"], "application/jsonl; charset=utf-8");
    assert.match(
      download.headers["content-disposition"] ?? "",
      /^attachment; filename="memories-\d{4}-\d{2}-\d{2}\.jsonl"$/,
    );
    assert.equal(download.body, `${toJsonLine(second)}\n${toJsonLine(first)}\n`);
  });

  test("download: a store too large for one answer gets a page naming the export command, never a cut file", async () => {
    const harness = await startPageHarness(database, { maxDownloadBytes: 300 });
    for (let n = 0; n < 5; n++) await harness.memoryStore.create(`Memory number ${n} ${"x".repeat(60)}`, []);
    const { cookie } = await signIn(harness, KEY_A);
    const download = await harness.call({ path: "/memories/export.jsonl", cookie });
    assert.equal(download.status, 413);
    assert.match(download.headers["content-type"] ?? "", /^text\/html/);
    assert.match(download.body, /Your 5 memories take 0\.\d MB as JSONL/);
    assert.match(download.body, /npm run memories/);
  });

  test("signed out, a page other than /memories sends the browser to the sign-in form", async () => {
    const harness = await startPageHarness(database);
    const answer = await harness.call({ path: "/memories/export.jsonl" });
    assert.deepEqual(
      { status: answer.status, location: answer.headers.location },
      { status: 303, location: "/memories" },
    );
  });

  test("methods other than GET and POST are refused", async () => {
    const harness = await startPageHarness(database);
    const answer = await harness.call({ method: "PUT", path: "/memories" });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.allow, "GET, POST");
  });
});
