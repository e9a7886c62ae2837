// Pins down the token endpoint: the exact token response (no-store), the access token's claims, a code's
// two-minute life and its binding to one client, client authentication (public, client_secret_basic,
// client_secret_post), resource indicators, refresh rotation (and races between two refreshes), clients
// registered without refresh_token, and request-level errors.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ACCESS_TOKEN_LIFETIME_S } from "../../src/oauth/access-token.ts";
import { CODE_LIFETIME_MS } from "../../src/oauth/authorize.ts";
import { GRANT_IDLE_MS } from "../../src/oauth/token.ts";
import { ROTATED_API_KEY, TEST_API_KEY } from "../fixtures/events.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import {
  BASE,
  callMcp,
  connect,
  exchangeCode,
  type Harness,
  json,
  obtainCode,
  pkcePair,
  REDIRECT_URI,
  RESOURCE,
  refreshTokens,
  register,
  startHarness,
  type Tokens,
  tokenRequest,
} from "./support.ts";

let database: Dynalite;
let harness: Harness;
before(async () => {
  database = await startDynalite();
  harness = await startHarness(database);
});
after(async () => {
  await database.stop();
});

function error(response: { status: number; body: string; headers: Record<string, string> }) {
  return { status: response.status, json: JSON.parse(response.body) as unknown };
}

describe("authorization_code grant", () => {
  test("answers exactly access_token, Bearer, expires_in, scope and a refresh_token, never cached", async () => {
    const client = await register(harness);
    const pkce = pkcePair();
    const code = await obtainCode(harness, client.client_id, pkce);
    const response = await exchangeCode(harness, client.client_id, code, pkce.verifier);
    const tokens = json(response) as Tokens;
    assert.deepEqual(
      { status: response.status, headers: response.headers, json: tokens },
      {
        status: 200,
        headers: { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" },
        json: {
          access_token: tokens.access_token,
          token_type: "Bearer",
          expires_in: ACCESS_TOKEN_LIFETIME_S,
          scope: "memory",
          refresh_token: tokens.refresh_token,
        },
      },
    );
    assert.match(tokens.refresh_token, /^[A-Za-z0-9_-]{22}\.0\.[A-Za-z0-9_-]{43}$/);
    const [header, claims] = tokens.access_token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>);
    assert.deepEqual(header, { alg: "HS256", typ: "at+jwt", kid: header?.kid });
    assert.deepEqual(claims, {
      iss: BASE,
      aud: RESOURCE,
      sub: "owner",
      client_id: client.client_id,
      scope: "memory",
      iat: claims?.iat,
      exp: Number(claims?.iat) + ACCESS_TOKEN_LIFETIME_S,
      jti: claims?.jti,
    });
    assert.equal((await callMcp(harness, tokens.access_token)).status, 200);
  });

  test("a code expires after two minutes", async () => {
    const client = await register(harness);
    const pkce = pkcePair();
    const code = await obtainCode(harness, client.client_id, pkce);
    harness.advance(CODE_LIFETIME_MS);
    assert.deepEqual(error(await exchangeCode(harness, client.client_id, code, pkce.verifier)), {
      status: 400,
      json: { error: "invalid_grant", error_description: "the authorization code has expired" },
    });
  });

  test("a code works only for the client it was issued to", async () => {
    const owner = await register(harness);
    const other = await register(harness);
    const pkce = pkcePair();
    const code = await obtainCode(harness, owner.client_id, pkce);
    assert.deepEqual(error(await exchangeCode(harness, other.client_id, code, pkce.verifier)), {
      status: 400,
      json: {
        error: "invalid_grant",
        error_description: "the authorization code was issued to another client",
      },
    });
  });

  test("an unknown code, a missing one and a resource other than this server are refused", async () => {
    const client = await register(harness);
    const base = {
      grant_type: "authorization_code",
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
    };
    assert.deepEqual(error(await tokenRequest(harness, { ...base, code: "made-up", code_verifier: "x" })), {
      status: 400,
      json: { error: "invalid_grant", error_description: "unknown authorization code" },
    });
    assert.deepEqual(error(await tokenRequest(harness, base)), {
      status: 400,
      json: { error: "invalid_request", error_description: "code is missing" },
    });
    assert.deepEqual(
      error(await tokenRequest(harness, { ...base, code: "x", resource: "https://other.example/mcp" })),
      {
        status: 400,
        json: {
          error: "invalid_target",
          error_description: `this server issues tokens for ${RESOURCE} only`,
        },
      },
    );
  });
});

describe("client authentication", () => {
  test("a confidential client authenticates with client_secret_basic or client_secret_post", async () => {
    for (const method of ["client_secret_basic", "client_secret_post"]) {
      const client = await register(harness, { token_endpoint_auth_method: method });
      const secret = String(client.client_secret);
      const pkce = pkcePair();
      const code = await obtainCode(harness, client.client_id, pkce);
      const fields = {
        grant_type: "authorization_code",
        code,
        code_verifier: pkce.verifier,
        redirect_uri: REDIRECT_URI,
      };
      const basic = Buffer.from(
        `${encodeURIComponent(client.client_id)}:${encodeURIComponent(secret)}`,
      ).toString("base64");
      const response =
        method === "client_secret_basic"
          ? await tokenRequest(harness, fields, { authorization: `Basic ${basic}` })
          : await tokenRequest(harness, { ...fields, client_id: client.client_id, client_secret: secret });
      assert.equal(response.status, 200, `${method}: ${response.body}`);
    }
  });

  test("a wrong or missing secret, an unknown client and a public client sending a secret get invalid_client", async () => {
    const confidential = await register(harness, { token_endpoint_auth_method: "client_secret_post" });
    const publicClient = await register(harness);
    const grant = { grant_type: "refresh_token", refresh_token: "x" };
    const basicWrong = Buffer.from(`${confidential.client_id}:wrong`).toString("base64");
    const cases: [Record<string, string>, Record<string, string>, string, Record<string, string>][] = [
      [{ client_id: confidential.client_id, client_secret: "wrong" }, {}, "client authentication failed", {}],
      [{ client_id: confidential.client_id }, {}, "client authentication failed", {}],
      [
        {},
        { authorization: `Basic ${basicWrong}` },
        "client authentication failed",
        { "www-authenticate": 'Basic realm="token"' },
      ],
      [{ client_id: "nobody" }, {}, "unknown client_id: register again", {}],
      [{}, {}, "client_id is missing", {}],
      [
        { client_id: publicClient.client_id, client_secret: "anything" },
        {},
        "this client is public and has no secret",
        {},
      ],
    ];
    for (const [fields, headers, description, challenge] of cases) {
      const response = await tokenRequest(harness, { ...grant, ...fields }, headers);
      assert.deepEqual(
        { ...error(response), challenge: response.headers["www-authenticate"] },
        {
          status: 401,
          json: { error: "invalid_client", error_description: description },
          challenge: challenge["www-authenticate"],
        },
        description,
      );
    }
  });
});

describe("refresh_token grant", () => {
  test("retiring the API key that approved a grant ends it: make retire-key signs those clients out", async () => {
    // Before the rotation both keys are accepted; the owner approved with the old one (TEST_API_KEY).
    const during = await startHarness(database, { apiKeys: [TEST_API_KEY, ROTATED_API_KEY] });
    const { client, tokens } = await connect(during);
    const refreshed = await refreshTokens(during, client.client_id, tokens.refresh_token);
    assert.equal(refreshed.status, 200, "still fine while the approving key is accepted");
    const next = json(refreshed) as Tokens;

    // retire-key: the same table, only the new key left.
    const after = await startHarness(database, { apiKeys: [ROTATED_API_KEY], sameTableAs: during });
    const refused = await refreshTokens(after, client.client_id, next.refresh_token);
    assert.deepEqual(error(refused), {
      status: 400,
      json: {
        error: "invalid_grant",
        error_description: "the API key that approved this access has been retired; sign in again",
      },
    });
    assert.equal(after.takeLogs().at(-1)?.oauthError, "approving_key_retired");
    // The grant is over for good: bringing the old key back does not revive it.
    const again = await refreshTokens(during, client.client_id, next.refresh_token);
    assert.equal(again.status, 400);
  });

  test("a code approved with a key retired before its redemption is refused", async () => {
    const during = await startHarness(database, { apiKeys: [TEST_API_KEY, ROTATED_API_KEY] });
    const client = await register(during);
    const pkce = pkcePair();
    const code = await obtainCode(during, client.client_id, pkce);
    const after = await startHarness(database, { apiKeys: [ROTATED_API_KEY], sameTableAs: during });
    assert.deepEqual(error(await exchangeCode(after, client.client_id, code, pkce.verifier)), {
      status: 400,
      json: {
        error: "invalid_grant",
        error_description: "the API key that approved this access has been retired; sign in again",
      },
    });
  });

  test("rotates the refresh token and issues a working access token each time", async () => {
    const { client, tokens } = await connect(harness);
    let current = tokens;
    for (let generation = 1; generation <= 3; generation++) {
      const response = await refreshTokens(harness, client.client_id, current.refresh_token);
      assert.equal(response.status, 200);
      const next = json(response) as Tokens;
      assert.match(next.refresh_token, new RegExp(`^[A-Za-z0-9_-]{22}\\.${generation}\\.`));
      assert.equal((await callMcp(harness, next.access_token)).status, 200);
      current = next;
    }
  });

  test("two refreshes racing with the same token: at most one wins, and the grant is revoked", async () => {
    const { client, tokens } = await connect(harness);
    const results = await Promise.all([
      refreshTokens(harness, client.client_id, tokens.refresh_token),
      refreshTokens(harness, client.client_id, tokens.refresh_token),
    ]);
    assert.ok(results.filter((result) => result.status === 200).length <= 1);
    for (const result of results.filter((r) => r.status === 200)) {
      const next = json(result) as Tokens;
      assert.equal((await refreshTokens(harness, client.client_id, next.refresh_token)).status, 400);
    }
  });

  test("a refresh token works only for its own client", async () => {
    const { tokens } = await connect(harness);
    const other = await register(harness);
    assert.deepEqual(error(await refreshTokens(harness, other.client_id, tokens.refresh_token)), {
      status: 400,
      json: { error: "invalid_grant", error_description: "the refresh token was issued to another client" },
    });
  });

  test("a client registered without refresh_token gets no refresh token and may not refresh", async () => {
    const client = await register(harness, { grant_types: ["authorization_code"] });
    const pkce = pkcePair();
    const code = await obtainCode(harness, client.client_id, pkce);
    const tokens = json(await exchangeCode(harness, client.client_id, code, pkce.verifier)) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(tokens).sort(), ["access_token", "expires_in", "scope", "token_type"]);
    assert.deepEqual(error(await refreshTokens(harness, client.client_id, "a.0.b")), {
      status: 400,
      json: {
        error: "unauthorized_client",
        error_description: "this client did not register the refresh_token grant",
      },
    });
  });

  test("a grant idle for 90 days lapses", async () => {
    const { client, tokens } = await connect(harness);
    harness.advance(GRANT_IDLE_MS + 1000); // the TTL attribute has whole seconds, rounded up
    assert.deepEqual(error(await refreshTokens(harness, client.client_id, tokens.refresh_token)), {
      status: 400,
      json: { error: "invalid_grant", error_description: "the refresh token is revoked or has expired" },
    });
  });
});

describe("request errors", () => {
  test("a missing or unknown grant_type, a non-form body and a repeated parameter are refused", async () => {
    const client = await register(harness);
    assert.deepEqual(error(await tokenRequest(harness, { client_id: client.client_id })), {
      status: 400,
      json: { error: "invalid_request", error_description: "grant_type is missing" },
    });
    assert.deepEqual(
      error(await tokenRequest(harness, { client_id: client.client_id, grant_type: "password" })),
      {
        status: 400,
        json: {
          error: "unsupported_grant_type",
          error_description: "use authorization_code or refresh_token",
        },
      },
    );
    const asJson = await harness.call({
      method: "POST",
      path: "/token",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "refresh_token" }),
    });
    assert.deepEqual(error(asJson), {
      status: 400,
      json: {
        error: "invalid_request",
        error_description: "send the token request as application/x-www-form-urlencoded",
      },
    });
    const repeated = await harness.call({
      method: "POST",
      path: "/token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token&grant_type=authorization_code",
    });
    assert.deepEqual(error(repeated), {
      status: 400,
      json: {
        error: "invalid_request",
        error_description: 'the parameter "grant_type" appears more than once',
      },
    });
  });
});

describe("log lines", () => {
  test("name the endpoint and the OAuth error, and never hold a key, code, secret or token", async () => {
    harness.takeLogs();
    const client = await register(harness, { token_endpoint_auth_method: "client_secret_post" });
    const pkce = pkcePair();
    const code = await obtainCode(harness, client.client_id, pkce);
    const fields = {
      grant_type: "authorization_code",
      code,
      code_verifier: pkce.verifier,
      redirect_uri: REDIRECT_URI,
      client_id: client.client_id,
      client_secret: String(client.client_secret),
    };
    const tokens = json(await tokenRequest(harness, fields)) as Tokens;
    await tokenRequest(harness, fields); // reused code
    await callMcp(harness, tokens.access_token);
    const lines = harness.takeLogs();
    assert.deepEqual(
      lines.map(({ endpoint, status, oauthError }) => ({ endpoint, status, oauthError })),
      [
        { endpoint: "register", status: 201, oauthError: undefined },
        { endpoint: "authorize", status: 200, oauthError: undefined },
        { endpoint: "authorize", status: 303, oauthError: undefined },
        { endpoint: "token", status: 200, oauthError: undefined },
        { endpoint: "token", status: 400, oauthError: "code_reuse" },
        { endpoint: undefined, status: 200, oauthError: undefined },
      ],
    );
    const text = JSON.stringify(lines);
    for (const secret of [
      TEST_API_KEY,
      code,
      String(client.client_secret),
      tokens.access_token,
      tokens.refresh_token,
    ]) {
      assert.ok(!text.includes(secret.slice(0, 16)), "a secret reached the log");
    }
  });
});
