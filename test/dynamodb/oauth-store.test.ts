// Pins down the OAuth items in the memory table: OAUTH_DYNAMODB_COMMANDS_USED is exactly what
// src/dynamodb/oauth-store.ts sends, terraform/iam.tf grants every action behind it, and every item that can
// expire carries the table's TTL attribute in epoch seconds (only the active signing key has none).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { type AttributeValue, ScanCommand } from "@aws-sdk/client-dynamodb";
import { OAUTH_DYNAMODB_COMMANDS_USED, OAUTH_DYNAMODB_IAM_ACTIONS } from "../../src/dynamodb/oauth-store.ts";
import table from "../../src/dynamodb/table.json" with { type: "json" };
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import {
  authorizeQuery,
  connect,
  openConsent,
  pkcePair,
  refreshTokens,
  register,
  startHarness,
  submitConsent,
  ticketOf,
} from "../oauth/support.ts";

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

describe("declared commands", () => {
  test("OAUTH_DYNAMODB_COMMANDS_USED is exactly the commands src/dynamodb/oauth-store.ts sends", async () => {
    const source = await readFile(new URL("../../src/dynamodb/oauth-store.ts", import.meta.url), "utf8");
    const sent = [...new Set([...source.matchAll(/new (\w+)Command\(/g)].map((match) => match[1]))].sort();
    assert.deepEqual(sent, [...OAUTH_DYNAMODB_COMMANDS_USED].sort());
    assert.deepEqual(
      [...OAUTH_DYNAMODB_IAM_ACTIONS],
      OAUTH_DYNAMODB_COMMANDS_USED.map((command) => `dynamodb:${command}`),
    );
  });

  test("terraform/iam.tf grants every action the OAuth code needs", async () => {
    const iam = await readFile(new URL("../../terraform/iam.tf", import.meta.url), "utf8");
    const granted = /dynamodb_actions\s*=\s*\[([^\]]*)\]/.exec(iam)?.[1] ?? "";
    const actions = [...granted.matchAll(/"(dynamodb:\w+)"/g)].map((match) => match[1]);
    for (const action of OAUTH_DYNAMODB_IAM_ACTIONS) assert.ok(actions.includes(action), action);
  });
});

describe("items", () => {
  test("every OAuth item that can expire carries the TTL attribute in epoch seconds", async () => {
    const harness = await startHarness(database);
    const { client, tokens } = await connect(harness); // signing key, client, code, grant
    assert.equal((await refreshTokens(harness, client.client_id, tokens.refresh_token)).status, 200);
    await register(harness); // a client never approved
    const ticket = ticketOf((await openConsent(harness, authorizeQuery(client.client_id, pkcePair()))).body);
    await submitConsent(harness, ticket, { action: "approve", api_key: "wrong" }); // the consent guard

    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await database.client.send(
        new ScanCommand({
          TableName: harness.tableName,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);

    const partitions = new Map<string, number>();
    const nowSeconds = harness.now() / 1000;
    for (const item of items) {
      const pk = item[table.partitionKey.name]?.S ?? "";
      if (!pk.startsWith("OAUTH#")) continue;
      partitions.set(pk, (partitions.get(pk) ?? 0) + 1);
      const ttl = item[table.ttlAttribute]?.N;
      if (pk === "OAUTH#KEY") {
        assert.equal(ttl, undefined, "the active signing key never expires");
        continue;
      }
      assert.ok(ttl !== undefined, `${pk} ${item[table.sortKey.name]?.S} has ${table.ttlAttribute}`);
      assert.ok(Number.isInteger(Number(ttl)), "whole seconds");
      assert.ok(
        Number(ttl) > nowSeconds && Number(ttl) < nowSeconds + 366 * 24 * 3600,
        `${pk}: epoch seconds`,
      );
    }
    assert.deepEqual(Object.fromEntries(partitions), {
      "OAUTH#KEY": 1,
      "OAUTH#CLIENT": 2,
      "OAUTH#CODE": 1,
      "OAUTH#GRANT": 1,
      "OAUTH#CONSENT": 1,
    });
  });
});
