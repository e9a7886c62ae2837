// Pins down how the OAuth server resists the attacks the issue names, one test each, through the real app
// (createApp: HTTP rules, OAuth endpoints, /mcp) on dynalite: PKCE verifier mismatch, code reuse, redirect
// URI mismatch, expired, tampered and wrong-audience tokens, refresh token reuse, guessing the API key on
// the consent page, and an oversized registration.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ACCESS_TOKEN_LIFETIME_S, mintAccessToken } from "../../src/oauth/access-token.ts";
import { MAX_REGISTRATION_BYTES } from "../../src/oauth/register.ts";
import { SigningKeyRing } from "../../src/oauth/signing-keys.ts";
import { FIRST_LOCKOUT_MS, FREE_ATTEMPTS } from "../../src/signin/key-guard.ts";
import { TEST_API_KEY } from "../fixtures/events.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import {
  authorizeQuery,
  BASE,
  callMcp,
  connect,
  exchangeCode,
  INVALID_TOKEN_CHALLENGE,
  json,
  obtainCode,
  openConsent,
  pkcePair,
  REDIRECT_URI,
  RESOURCE,
  refreshTokens,
  register,
  startHarness,
  submitConsent,
  type Tokens,
  ticketOf,
  tokenRequest,
} from "./support.ts";

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

const OAUTH_JSON = { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" };

function invalidGrant(description: string): unknown {
  return {
    status: 400,
    headers: OAUTH_JSON,
    json: { error: "invalid_grant", error_description: description },
  };
}

function outcome(response: { status: number; headers: Record<string, string>; body: string }): unknown {
  return { status: response.status, headers: response.headers, json: JSON.parse(response.body) };
}

describe("attacks", () => {
  test("PKCE verifier mismatch: the code is refused, and spent", async () => {
    const harness = await startHarness(database);
    const client = await register(harness);
    const pkce = pkcePair();
    const code = await obtainCode(harness, client.client_id, pkce);

    const wrong = await exchangeCode(harness, client.client_id, code, pkcePair().verifier);
    assert.deepEqual(outcome(wrong), invalidGrant("code_verifier does not match the code_challenge (PKCE)"));
    // One try per code: the right verifier comes too late.
    const late = await exchangeCode(harness, client.client_id, code, pkce.verifier);
    assert.deepEqual(
      outcome(late),
      invalidGrant("this authorization code was already used; its tokens are revoked"),
    );
  });

  test("code reuse: the second redemption is refused and the grant of the first is revoked", async () => {
    const harness = await startHarness(database);
    const client = await register(harness);
    const pkce = pkcePair();
    const code = await obtainCode(harness, client.client_id, pkce);
    const first = await exchangeCode(harness, client.client_id, code, pkce.verifier);
    assert.equal(first.status, 200);
    const tokens = json(first) as Tokens;
    harness.takeLogs();

    const second = await exchangeCode(harness, client.client_id, code, pkce.verifier);
    assert.deepEqual(
      outcome(second),
      invalidGrant("this authorization code was already used; its tokens are revoked"),
    );
    assert.equal(harness.takeLogs()[0]?.oauthError, "code_reuse");
    const refreshed = await refreshTokens(harness, client.client_id, tokens.refresh_token);
    assert.deepEqual(outcome(refreshed), invalidGrant("the refresh token is revoked or has expired"));
  });

  test("redirect URI mismatch: /authorize shows an error and never redirects; /token refuses the code", async () => {
    const harness = await startHarness(database);
    const client = await register(harness);
    const pkce = pkcePair();
    for (const redirectUri of [
      "https://evil.example/callback",
      `${REDIRECT_URI}/`,
      `${REDIRECT_URI}?next=https://evil.example`,
      "https://CLIENT.example.test/callback",
    ]) {
      const page = await openConsent(
        harness,
        authorizeQuery(client.client_id, pkce, { redirect_uri: redirectUri }),
      );
      assert.equal(page.status, 400, redirectUri);
      assert.equal(page.headers.location, undefined, redirectUri);
      assert.match(page.body, /The redirect URI is not one that Test Client registered/);
      assert.doesNotMatch(page.body, /name="ticket"/);
    }

    const code = await obtainCode(harness, client.client_id, pkce);
    const response = await tokenRequest(harness, {
      grant_type: "authorization_code",
      code,
      code_verifier: pkce.verifier,
      redirect_uri: "https://evil.example/callback",
      client_id: client.client_id,
    });
    assert.deepEqual(
      outcome(response),
      invalidGrant("redirect_uri is not the one of the authorization request"),
    );
  });

  test("expired access token: 401 with error=invalid_token", async () => {
    const harness = await startHarness(database);
    const { tokens } = await connect(harness);
    assert.deepEqual(await callMcp(harness, tokens.access_token), { status: 200, challenge: undefined });
    harness.advance(ACCESS_TOKEN_LIFETIME_S * 1000);
    assert.deepEqual(await callMcp(harness, tokens.access_token), {
      status: 401,
      challenge: INVALID_TOKEN_CHALLENGE,
    });
  });

  test("tampered access token: a changed claim, signature or algorithm gets 401", async () => {
    const harness = await startHarness(database);
    const { tokens } = await connect(harness);
    const [header = "", claims = "", signature = ""] = tokens.access_token.split(".");
    const decoded = JSON.parse(Buffer.from(claims, "base64url").toString()) as Record<string, unknown>;
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BA" : "AA"}`;
    const variants = {
      "later expiry": `${header}.${encode({ ...decoded, exp: Number(decoded.exp) + 86_400 })}.${signature}`,
      "other client": `${header}.${encode({ ...decoded, client_id: "someone-else" })}.${signature}`,
      "changed signature": `${header}.${claims}.${flipped}`,
      "no signature": `${header}.${claims}.`,
      "alg none": `${encode({ alg: "none", typ: "at+jwt" })}.${claims}.`,
      "unknown kid": `${encode({ alg: "HS256", typ: "at+jwt", kid: "nope" })}.${claims}.${signature}`,
      "extra segment": `${tokens.access_token}.x`,
    };
    for (const [name, token] of Object.entries(variants)) {
      assert.deepEqual(
        await callMcp(harness, token),
        { status: 401, challenge: INVALID_TOKEN_CHALLENGE },
        name,
      );
    }
    assert.equal(
      (await callMcp(harness, tokens.access_token)).status,
      200,
      "the untouched token still works",
    );
  });

  test("token minted for another audience: 401, though signed with the right key", async () => {
    const harness = await startHarness(database);
    await connect(harness); // creates the signing key
    const key = await new SigningKeyRing(harness.store, harness.now).signing();
    const mint = (issuer: string, resource: string): string =>
      mintAccessToken(key, { issuer, resource, clientId: "c", scope: "memory" }, harness.now());
    assert.equal((await callMcp(harness, mint(BASE, RESOURCE))).status, 200, "the control token is accepted");
    for (const [issuer, resource] of [
      [BASE, "https://other.example/mcp"],
      [BASE, `${BASE}/other`],
      [BASE, BASE],
      ["https://other.example", RESOURCE],
    ] as const) {
      assert.deepEqual(
        await callMcp(harness, mint(issuer, resource)),
        { status: 401, challenge: INVALID_TOKEN_CHALLENGE },
        `${issuer} ${resource}`,
      );
    }
    // The same token presented at another host of the same function is for another resource there.
    const response = await harness.call({
      method: "POST",
      path: "/mcp",
      headers: {
        host: "other.example",
        authorization: `Bearer ${mint(BASE, RESOURCE)}`,
        "content-type": "application/json",
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    assert.equal(response.status, 401);
  });

  test("refresh token reuse: the spent token is refused and the whole grant is revoked", async () => {
    const harness = await startHarness(database);
    const { client, tokens } = await connect(harness);
    const rotated = await refreshTokens(harness, client.client_id, tokens.refresh_token);
    assert.equal(rotated.status, 200);
    const next = json(rotated) as Tokens;
    assert.notEqual(next.refresh_token, tokens.refresh_token, "refresh tokens rotate");
    harness.takeLogs();

    const replay = await refreshTokens(harness, client.client_id, tokens.refresh_token);
    assert.deepEqual(
      outcome(replay),
      invalidGrant("this refresh token was already used; the grant is revoked"),
    );
    assert.equal(harness.takeLogs()[0]?.oauthError, "refresh_token_reuse");
    const legitimate = await refreshTokens(harness, client.client_id, next.refresh_token);
    assert.deepEqual(outcome(legitimate), invalidGrant("the refresh token is revoked or has expired"));
    // A forged member of the chain (right grant, made-up mac) is refused without touching the grant.
    const other = await connect(harness);
    const [grantId] = other.tokens.refresh_token.split(".");
    const forged = await refreshTokens(harness, other.client.client_id, `${grantId}.0.${"A".repeat(43)}`);
    assert.deepEqual(outcome(forged), invalidGrant("unknown refresh token"));
    assert.equal(
      (await refreshTokens(harness, other.client.client_id, other.tokens.refresh_token)).status,
      200,
    );
  });

  test("wrong API key on the consent page: delayed answers, then a lockout that even the right key waits out", async () => {
    const delay = 150;
    const harness = await startHarness(database, { wrongKeyDelayMs: delay });
    const client = await register(harness);
    const page = await openConsent(harness, authorizeQuery(client.client_id, pkcePair()));
    const ticket = ticketOf(page.body);

    for (let attempt = 1; attempt <= FREE_ATTEMPTS; attempt++) {
      const started = performance.now();
      const wrong = await submitConsent(harness, ticket, { action: "approve", api_key: `guess-${attempt}` });
      assert.ok(performance.now() - started >= delay - 5, "a wrong key is answered only after the delay");
      assert.equal(wrong.status, 403);
      assert.equal(wrong.headers.location, undefined);
      assert.match(
        wrong.body,
        /<p class="error" id="key-error" role="alert">That is not the API key of this server/,
      );
      assert.match(wrong.body, /aria-invalid="true"/);
    }
    const locked = await submitConsent(harness, ticket, { action: "approve", api_key: TEST_API_KEY });
    assert.equal(locked.status, 429);
    assert.equal(locked.headers["retry-after"], String(FIRST_LOCKOUT_MS / 1000));
    assert.equal(locked.headers.location, undefined, "no code while locked, even for the right key");
    assert.match(locked.body, /Too many attempts with a wrong key\. Try again in 1 minute\./);

    harness.advance(FIRST_LOCKOUT_MS);
    const approved = await submitConsent(harness, ticketOf(locked.body));
    assert.equal(approved.status, 303);
    assert.ok(new URL(approved.headers.location ?? "").searchParams.get("code"));
    assert.equal(await harness.store.getConsentGuard(), undefined, "the right key clears the counter");
  });

  test("wrong API key on the consent page: parallel guesses cannot outrun the counter", async () => {
    const harness = await startHarness(database);
    const client = await register(harness);
    const ticket = ticketOf((await openConsent(harness, authorizeQuery(client.client_id, pkcePair()))).body);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        submitConsent(harness, ticket, { action: "approve", api_key: `parallel-${index}` }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.ok(
      statuses.filter((status) => status === 403).length <= FREE_ATTEMPTS,
      `at most ${FREE_ATTEMPTS} keys looked at: ${statuses.join(" ")}`,
    );
    assert.ok(
      statuses.every((status) => status === 403 || status === 429),
      statuses.join(" "),
    );
  });

  test("oversized registration: 413 before any parsing, and every limit has its error", async () => {
    const harness = await startHarness(database);
    const register = (body: string) =>
      harness.call({
        method: "POST",
        path: "/register",
        headers: { "content-type": "application/json" },
        body,
      });
    const huge = JSON.stringify({
      redirect_uris: [REDIRECT_URI],
      client_name: "x".repeat(MAX_REGISTRATION_BYTES),
    });
    assert.deepEqual(outcome(await register(huge)), {
      status: 413,
      headers: OAUTH_JSON,
      json: {
        error: "invalid_client_metadata",
        error_description: `the registration is larger than ${MAX_REGISTRATION_BYTES} bytes`,
      },
    });
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { redirect_uris: Array.from({ length: 6 }, (_, i) => `https://c.example/${i}`) },
        "invalid_redirect_uri",
        "at most 5 redirect_uris",
      ],
      [
        { redirect_uris: [`https://c.example/${"p".repeat(600)}`] },
        "invalid_redirect_uri",
        "a redirect URI may be at most 512 characters",
      ],
      [
        { redirect_uris: [REDIRECT_URI], client_name: "n".repeat(101) },
        "invalid_client_metadata",
        "client_name must be a string of 1 to 100 characters",
      ],
    ];
    for (const [metadata, error, description] of cases) {
      assert.deepEqual(outcome(await register(JSON.stringify(metadata))), {
        status: 400,
        headers: OAUTH_JSON,
        json: { error, error_description: description },
      });
    }
    assert.deepEqual(await harness.store.listClients(), [], "nothing refused was stored");
  });
});
