// Pins down Dynamic Client Registration (RFC 7591): the 201 answer with every registered value, the
// defaults (client_secret_basic issues a secret), which redirect URIs are allowed (https or loopback http,
// no fragment, no user info), the other metadata checks, and the cap on never-approved registrations.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { UNAPPROVED_CLIENT_LIFETIME_MS } from "../../src/oauth/clients.ts";
import { MAX_UNAPPROVED_CLIENTS } from "../../src/oauth/register.ts";
import { sha256Hex } from "../../src/protocol/auth.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import { type Harness, obtainCode, pkcePair, REDIRECT_URI, startHarness } from "./support.ts";

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

function post(harness: Harness, body: unknown, contentType = "application/json") {
  return harness.call({
    method: "POST",
    path: "/register",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function refusal(harness: Harness, body: unknown, contentType?: string): Promise<unknown> {
  const response = await post(harness, body, contentType);
  return { status: response.status, json: JSON.parse(response.body) };
}

describe("registration", () => {
  test("a public client gets 201 with its client_id and every registered value, and no secret", async () => {
    const harness = await startHarness(database);
    const response = await post(harness, {
      client_name: "Claude",
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      scope: "memory",
      logo_uri: "https://claude.ai/logo.png",
    });
    assert.equal(response.status, 201);
    assert.deepEqual(
      {
        "content-type": response.headers["content-type"],
        "cache-control": response.headers["cache-control"],
      },
      { "content-type": "application/json", "cache-control": "no-store" },
    );
    const body = JSON.parse(response.body) as Record<string, unknown>;
    assert.match(String(body.client_id), /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(body, {
      client_id: body.client_id,
      client_id_issued_at: Math.floor(harness.now() / 1000),
      client_name: "Claude",
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      scope: "memory",
    });
    const stored = await harness.store.getClient(String(body.client_id));
    assert.equal(stored?.approvedAt, undefined, "not approved yet");
    const lifetime = (stored?.expiresAt ?? 0) - (stored?.createdAt ?? 0);
    assert.ok(
      lifetime >= UNAPPROVED_CLIENT_LIFETIME_MS && lifetime < UNAPPROVED_CLIENT_LIFETIME_MS + 1000,
      "expires in 24 h",
    );
  });

  test("without token_endpoint_auth_method a client is confidential (RFC 7591 default): a secret, stored hashed", async () => {
    const harness = await startHarness(database);
    const response = await post(harness, { redirect_uris: [REDIRECT_URI] });
    const body = JSON.parse(response.body) as Record<string, unknown>;
    assert.equal(body.token_endpoint_auth_method, "client_secret_basic");
    assert.equal(body.client_secret_expires_at, 0);
    assert.match(String(body.client_secret), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(body.client_name, "Unnamed client");
    assert.deepEqual(body.grant_types, ["authorization_code", "refresh_token"]);
    const stored = await harness.store.getClient(String(body.client_id));
    assert.equal(stored?.secretHash, sha256Hex(String(body.client_secret)));
  });

  test("redirect URIs must be https, or http on a loopback address; never a fragment or user info", async () => {
    const harness = await startHarness(database);
    for (const uri of [
      "http://127.0.0.1:8765/cb",
      "http://localhost/cb",
      "http://[::1]:9/cb",
      "https://x.example/cb?a=1",
    ]) {
      assert.equal((await post(harness, { redirect_uris: [uri] })).status, 201, uri);
    }
    const cases: [string, string][] = [
      [
        "http://example.com/cb",
        "a redirect URI must use https, or http on a loopback address: http://example.com/cb",
      ],
      [
        "http://127.0.0.1.evil.example/cb",
        "a redirect URI must use https, or http on a loopback address: http://127.0.0.1.evil.example/cb",
      ],
      [
        "javascript:alert(1)",
        "a redirect URI must use https, or http on a loopback address: javascript:alert(1)",
      ],
      [
        "com.example.app:/cb",
        "a redirect URI must use https, or http on a loopback address: com.example.app:/cb",
      ],
      ["https://x.example/cb#frag", "a redirect URI must not have a fragment: https://x.example/cb#frag"],
      [
        "https://user:pw@x.example/cb",
        "a redirect URI must not carry a user name or password: https://user:pw@x.example/cb",
      ],
      ["/relative", "not an absolute URI: /relative"],
    ];
    for (const [uri, description] of cases) {
      assert.deepEqual(
        await refusal(harness, { redirect_uris: [REDIRECT_URI, uri] }),
        { status: 400, json: { error: "invalid_redirect_uri", error_description: description } },
        uri,
      );
    }
    assert.deepEqual(await refusal(harness, { client_name: "x" }), {
      status: 400,
      json: { error: "invalid_redirect_uri", error_description: "redirect_uris must list at least one URI" },
    });
  });

  test("the other metadata is checked, and the body must be a JSON object", async () => {
    const harness = await startHarness(database);
    const uris = { redirect_uris: [REDIRECT_URI] };
    const invalid = (description: string) => ({
      status: 400,
      json: { error: "invalid_client_metadata", error_description: description },
    });
    const cases: [unknown, unknown, string?][] = [
      [
        { ...uris, token_endpoint_auth_method: "private_key_jwt" },
        invalid("token_endpoint_auth_method must be one of none, client_secret_basic, client_secret_post"),
      ],
      [
        { ...uris, grant_types: ["client_credentials"] },
        invalid("grant_types must include authorization_code and may add refresh_token"),
      ],
      [
        { ...uris, grant_types: ["refresh_token"] },
        invalid("grant_types must include authorization_code and may add refresh_token"),
      ],
      [{ ...uris, response_types: ["token"] }, invalid('response_types may only be ["code"]')],
      [
        { ...uris, client_name: "Claude\u202e" },
        invalid("client_name holds control or direction-changing characters"),
      ],
      [{ ...uris, client_name: "" }, invalid("client_name must be a string of 1 to 100 characters")],
      [[uris], invalid("the client metadata must be a JSON object")],
      ["{not json", invalid("the body is not valid JSON")],
      [uris, invalid("send the client metadata as application/json"), "application/x-www-form-urlencoded"],
    ];
    for (const [body, expected, contentType] of cases) {
      assert.deepEqual(await refusal(harness, body, contentType), expected, JSON.stringify(body));
    }
  });

  test(`at most ${MAX_UNAPPROVED_CLIENTS} never-approved registrations: the oldest gives way, approved ones stay`, async () => {
    const harness = await startHarness(database);
    const register = async (name: string): Promise<string> => {
      const response = await post(harness, {
        client_name: name,
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: "none",
      });
      assert.equal(response.status, 201);
      harness.advance(1); // distinct creation times
      return String((JSON.parse(response.body) as { client_id: string }).client_id);
    };
    const approved = await register("approved");
    await obtainCode(harness, approved, pkcePair()); // the owner approves it on the consent page
    const first = await register("pending-0");
    const second = await register("pending-1");
    for (let index = 2; index < MAX_UNAPPROVED_CLIENTS; index++) await register(`pending-${index}`);
    assert.equal((await harness.store.listClients()).length, MAX_UNAPPROVED_CLIENTS + 1);

    await register("newest");
    const clients = await harness.store.listClients();
    assert.equal(clients.filter((client) => client.approvedAt === undefined).length, MAX_UNAPPROVED_CLIENTS);
    const ids = new Set(clients.map((client) => client.clientId));
    assert.ok(!ids.has(first), "the oldest pending registration gave way");
    assert.ok(ids.has(second) && ids.has(approved), "the next one and the approved one stay");
  });
});
