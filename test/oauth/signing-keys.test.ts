// Pins down the signing keys: created in the table on first need (racing containers end up agreeing),
// read once per reload period and never per token check, an unknown kid re-read at most every 30 s, and
// rotation: new tokens use the new key while the old one verifies until it retires, or stops at once when
// rotated "immediately" (a leaked key).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mintAccessToken, verifyAccessToken } from "../../src/oauth/access-token.ts";
import {
  KEY_RELOAD_MS,
  RETIRED_KEY_GRACE_MS,
  rotateSigningKey,
  SigningKeyRing,
} from "../../src/oauth/signing-keys.ts";
import type { OAuthStore } from "../../src/oauth/store.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import {
  BASE,
  callMcp,
  connect,
  type Harness,
  RESOURCE,
  refreshTokens,
  startHarness,
  type Tokens,
} from "./support.ts";

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

/** The store with its key reads counted. */
function counting(store: OAuthStore): { store: OAuthStore; reads: () => number } {
  let reads = 0;
  const counted = Object.create(store) as OAuthStore; // every method inherited, one wrapped
  counted.listSigningKeys = () => {
    reads += 1;
    return store.listSigningKeys();
  };
  return { store: counted, reads: () => reads };
}

function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as {
    kid: string;
  };
  return header.kid;
}

async function refreshed(harness: Harness, clientId: string, tokens: Tokens): Promise<Tokens> {
  const response = await refreshTokens(harness, clientId, tokens.refresh_token);
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body) as Tokens;
}

describe("signing keys", () => {
  test("the first key is created on first need, and racing containers agree on it after a reload", async () => {
    const harness = await startHarness(database);
    assert.deepEqual(await harness.store.listSigningKeys(), []);
    const rings = [
      new SigningKeyRing(harness.store, harness.now),
      new SigningKeyRing(harness.store, harness.now),
    ];
    const [a, b] = await Promise.all(rings.map((ring) => ring.signing()));
    assert.ok(a && b);
    const stored = await harness.store.listSigningKeys();
    assert.ok(stored.length >= 1 && stored.length <= 2);
    assert.equal(stored[0]?.secret.length, 32);
    harness.advance(KEY_RELOAD_MS);
    const [c, d] = await Promise.all(rings.map((ring) => ring.signing()));
    assert.equal(c?.kid, d?.kid, "after a reload both sign with the same, newest key");
    // Whichever signed earlier still verifies everywhere.
    for (const key of [a, b]) assert.ok(await rings[1]?.verifying(key.kid));
  });

  test("token checks read the keys once per reload period, never once per request", async () => {
    const harness = await startHarness(database);
    const { store, reads } = counting(harness.store);
    const ring = new SigningKeyRing(store, harness.now);
    const token = mintAccessToken(
      await ring.signing(),
      { issuer: BASE, resource: RESOURCE, clientId: "c", scope: "memory" },
      harness.now(),
    );
    const before = reads();
    for (let index = 0; index < 50; index++) {
      const check = await verifyAccessToken(token, {
        keys: ring,
        issuer: BASE,
        resource: RESOURCE,
        nowMs: harness.now(),
      });
      assert.equal(check.ok, true);
    }
    assert.equal(reads(), before, "no read for 50 checks");
    harness.advance(KEY_RELOAD_MS);
    await verifyAccessToken(token, { keys: ring, issuer: BASE, resource: RESOURCE, nowMs: harness.now() });
    assert.equal(reads(), before + 1, "one read once the cached set is stale");
    // Forged kids: at most one re-read per 30 s, however many arrive.
    for (let index = 0; index < 20; index++) await ring.verifying(`forged-${index}`);
    assert.ok(reads() <= before + 2);
  });

  test("rotation: new tokens get the new key, tokens of the old one work until it retires", async () => {
    const harness = await startHarness(database);
    const { client, tokens } = await connect(harness);
    const oldKid = kidOf(tokens.access_token);
    const rotatedAt = harness.now();
    const rotation = await rotateSigningKey(harness.store, rotatedAt);
    assert.deepEqual(rotation.retired, [oldKid]);
    assert.equal(
      (await harness.store.listSigningKeys()).find((key) => key.kid === oldKid)?.retiresAt,
      rotatedAt + RETIRED_KEY_GRACE_MS,
    );

    harness.advance(KEY_RELOAD_MS); // every container has picked up the new key by now
    const next = await refreshed(harness, client.client_id, tokens);
    assert.equal(kidOf(next.access_token), rotation.kid);
    assert.equal((await callMcp(harness, tokens.access_token)).status, 200, "the old key still verifies");
    assert.equal((await callMcp(harness, next.access_token)).status, 200);
  });

  test("an immediate rotation signs everyone out within one reload period; refresh tokens live on", async () => {
    const harness = await startHarness(database);
    const { client, tokens } = await connect(harness);
    await rotateSigningKey(harness.store, harness.now(), { immediately: true });
    harness.advance(KEY_RELOAD_MS);
    assert.equal((await callMcp(harness, tokens.access_token)).status, 401);
    const next = await refreshed(harness, client.client_id, tokens);
    assert.equal((await callMcp(harness, next.access_token)).status, 200);
  });
});
