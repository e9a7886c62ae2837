// Pins down the authorization endpoint: the consent page (security headers, strict CSP with the style's
// hash and the redirect origin, accessible form, escaped client text, loopback warning), errors shown vs.
// redirected back with state and iss (RFC 6749 §4.1.2.1, RFC 9207), PKCE S256 only, resource indicators
// (RFC 8707), denial, and the signed form ticket (tampered, expired, from a foreign origin).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { TICKET_LIFETIME_MS } from "../../src/oauth/authorize.ts";
import { TEST_API_KEY } from "../fixtures/events.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import {
  authorizeQuery,
  BASE,
  type Harness,
  openConsent,
  pkcePair,
  REDIRECT_URI,
  register,
  startHarness,
  submitConsent,
  ticketOf,
} from "./support.ts";

let database: Dynalite;
let harness: Harness;
let clientId: string;
before(async () => {
  database = await startDynalite();
  harness = await startHarness(database);
  clientId = (await register(harness)).client_id;
});
after(async () => {
  await database.stop();
});

function redirectParams(location: string | undefined): Record<string, string> {
  const url = new URL(location ?? "");
  assert.equal(`${url.origin}${url.pathname}`, REDIRECT_URI);
  return Object.fromEntries(url.searchParams);
}

describe("consent page", () => {
  test("is served with no-store, a strict CSP, no framing and no referrer", async () => {
    const page = await openConsent(harness, authorizeQuery(clientId, pkcePair()));
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.body)?.[1] ?? "";
    const hash = createHash("sha256").update(style).digest("base64");
    assert.deepEqual(
      { status: page.status, headers: page.headers },
      {
        status: 200,
        headers: {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "content-security-policy": `default-src 'none'; style-src 'sha256-${hash}'; form-action 'self' https://client.example.test; frame-ancestors 'none'; base-uri 'none'`,
          "x-frame-options": "DENY",
          "referrer-policy": "no-referrer",
          "x-content-type-options": "nosniff",
        },
      },
    );
    assert.doesNotMatch(
      page.body,
      /<script|<img|<link|https?:\/\/(?!client\.example\.test)/i,
      "no script, no external asset",
    );
  });

  test("names the client and where the approval goes, with a labelled key field and two buttons", async () => {
    const page = await openConsent(harness, authorizeQuery(clientId, pkcePair()));
    for (const fragment of [
      '<html lang="en">',
      "<h1>Allow Test Client to use your memory?</h1>",
      `<dd class="uri">${clientId}</dd>`,
      `<dt>Returns you to</dt><dd><strong>client.example.test</strong><br><span class="uri">${REDIRECT_URI}</span></dd>`,
      '<form method="post" action="/authorize">',
      '<label for="api-key">API key of this server</label>',
      '<input id="api-key" name="api_key" type="password" autocomplete="current-password" required autofocus aria-describedby="key-help">',
      '<button type="submit" name="action" value="approve">Allow access</button>',
      '<button type="submit" name="action" value="deny" formnovalidate>Deny</button>',
    ]) {
      assert.ok(page.body.includes(fragment), fragment);
    }
    assert.doesNotMatch(page.body, /class="note"/, "no loopback warning for an https redirect");
  });

  test("escapes the client's own text, and warns when the approval goes to a loopback address", async () => {
    const loopback = "http://127.0.0.1:45678/callback";
    const client = await register(harness, {
      client_name: `<script>alert("x")</script> & Co`,
      redirect_uris: [loopback],
    });
    const page = await openConsent(
      harness,
      authorizeQuery(client.client_id, pkcePair(), { redirect_uri: loopback }),
    );
    assert.equal(page.status, 200);
    assert.ok(
      page.body.includes(
        "<h1>Allow &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co to use your memory?</h1>",
      ),
    );
    assert.doesNotMatch(page.body, /<script>/);
    assert.match(
      page.body,
      /<p class="note">This approval goes to a program on this computer \(127\.0\.0\.1:45678\)/,
    );
    assert.match(
      page.headers["content-security-policy"] ?? "",
      /form-action 'self' http:\/\/127\.0\.0\.1:45678;/,
    );
  });
});

describe("authorization request errors", () => {
  test("about the client or its redirect URI: an error page, never a redirect", async () => {
    const pkce = pkcePair();
    const cases: [string, string][] = [
      [authorizeQuery("unknown-client", pkce), "Unknown application"],
      [authorizeQuery(clientId, pkce).replace(/&?client_id=[^&]*/, ""), "This sign-in request is malformed"],
      [
        authorizeQuery(clientId, pkce).replace(/&?redirect_uri=[^&]*/, ""),
        "This sign-in request is not safe",
      ],
      [`${authorizeQuery(clientId, pkce)}&client_id=${clientId}`, "This sign-in request is malformed"],
      [authorizeQuery(clientId, pkce, { state: "s".repeat(2049) }), "This sign-in request is malformed"],
    ];
    for (const [query, title] of cases) {
      const page = await openConsent(harness, query);
      assert.equal(page.status, 400, query);
      assert.equal(page.headers.location, undefined, query);
      assert.ok(page.body.includes(`<h1>${title}</h1>`), `${title}: ${query}`);
    }
  });

  test("anything else goes back to the client with error, state and iss", async () => {
    const pkce = pkcePair();
    const cases: [Record<string, string>, string, string][] = [
      [{ response_type: "token" }, "unsupported_response_type", 'response_type must be "code"'],
      [{ code_challenge: "" }, "invalid_request", "PKCE is required: send an S256 code_challenge"],
      [{ code_challenge: "short" }, "invalid_request", "PKCE is required: send an S256 code_challenge"],
      [{ code_challenge_method: "plain" }, "invalid_request", 'code_challenge_method must be "S256"'],
      [{ code_challenge_method: "" }, "invalid_request", 'code_challenge_method must be "S256"'],
      [
        { resource: "https://other.example/mcp" },
        "invalid_target",
        `this server issues tokens for ${BASE}/mcp only`,
      ],
      [{ resource: `${BASE}/mcp#x` }, "invalid_target", `this server issues tokens for ${BASE}/mcp only`],
    ];
    for (const [extra, error, description] of cases) {
      const response = await openConsent(
        harness,
        authorizeQuery(clientId, pkce, { ...extra, state: "a b&c=d" }),
      );
      assert.equal(response.status, 302, JSON.stringify(extra));
      assert.deepEqual(redirectParams(response.headers.location), {
        error,
        error_description: description,
        state: "a b&c=d",
        iss: BASE,
      });
    }
  });

  test("the resource may be left out, or written with an upper-case host or a trailing slash", async () => {
    for (const resource of [undefined, `${BASE}/mcp/`, "HTTPS://MEMORY.EXAMPLE.TEST/mcp"]) {
      const query = authorizeQuery(clientId, pkcePair(), resource === undefined ? {} : { resource });
      const page = await openConsent(
        harness,
        resource === undefined ? query.replace(/&resource=[^&]*/, "") : query,
      );
      assert.equal(page.status, 200, resource);
    }
  });
});

describe("the consent form", () => {
  test("approving redirects (303) with a fresh code, the state unchanged, and iss", async () => {
    const page = await openConsent(
      harness,
      authorizeQuery(clientId, pkcePair(), { state: "state/with?odd=chars" }),
    );
    const approved = await submitConsent(harness, ticketOf(page.body));
    assert.equal(approved.status, 303);
    assert.equal(approved.headers["cache-control"], "no-store");
    const params = redirectParams(approved.headers.location);
    assert.match(params.code ?? "", /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual({ ...params, code: "" }, { code: "", state: "state/with?odd=chars", iss: BASE });
    assert.equal((await harness.store.getClient(clientId))?.approvedAt !== undefined, true);
  });

  test("a request without state gets none back", async () => {
    const query = authorizeQuery(clientId, pkcePair()).replace(/&state=[^&]*/, "");
    const approved = await submitConsent(harness, ticketOf((await openConsent(harness, query)).body));
    assert.deepEqual(Object.keys(redirectParams(approved.headers.location)), ["code", "iss"]);
  });

  test("denying redirects with access_denied and needs no key", async () => {
    const page = await openConsent(harness, authorizeQuery(clientId, pkcePair()));
    const denied = await submitConsent(harness, ticketOf(page.body), { action: "deny" });
    assert.equal(denied.status, 303);
    assert.deepEqual(redirectParams(denied.headers.location), {
      error: "access_denied",
      error_description: "the owner denied access",
      state: "state-123",
      iss: BASE,
    });
  });

  test("a tampered, foreign or expired ticket is refused with an error page", async () => {
    const ticket = ticketOf((await openConsent(harness, authorizeQuery(clientId, pkcePair()))).body);
    const [kid, payload = "", signature] = ticket.split(".");
    const decoded = JSON.parse(Buffer.from(payload, "base64url").toString()) as { r: Record<string, string> };
    decoded.r.redirectUri = "https://evil.example/callback";
    const altered = `${kid}.${Buffer.from(JSON.stringify(decoded)).toString("base64url")}.${signature}`;
    for (const bad of [altered, `${ticket}x`, "", "a.b.c", `${kid}.${payload}`]) {
      const response = await submitConsent(harness, bad);
      assert.equal(response.status, 400, bad);
      assert.equal(response.headers.location, undefined);
      assert.match(response.body, /<h1>This page has expired<\/h1>/);
    }
    harness.advance(TICKET_LIFETIME_MS);
    const late = await submitConsent(harness, ticket);
    assert.equal(late.status, 400);
    assert.match(late.body, /<h1>This page has expired<\/h1>/);
  });

  test("a form posted from another origin is refused; the page's own (or an opaque one) is accepted", async () => {
    const ticket = ticketOf((await openConsent(harness, authorizeQuery(clientId, pkcePair()))).body);
    const post = (origin: string) =>
      harness.call({
        method: "POST",
        path: "/authorize",
        headers: { "content-type": "application/x-www-form-urlencoded", origin },
        body: new URLSearchParams({ ticket, action: "approve", api_key: TEST_API_KEY }).toString(),
      });
    const foreign = await post("https://evil.example");
    assert.equal(foreign.status, 403);
    assert.match(foreign.body, /This form came from another site/);
    assert.equal((await post(BASE)).status, 303);
  });
});
