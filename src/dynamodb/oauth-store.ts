// The OAuth state in the memory table, and every DynamoDB command the OAuth code sends (the IAM policy is
// checked against OAUTH_DYNAMODB_COMMANDS_USED). Each kind of item has a partition of its own beside the
// memories (pk = "MEM"); key schema and TTL attribute in ./table.json. Attribute maps are written
// by hand, as in the memory store.
//
// | Item                  | pk            | sk                | expiresAt (TTL, epoch seconds)               |
// | --------------------- | ------------- | ----------------- | -------------------------------------------- |
// | signing key           | OAUTH#KEY     | <kid>             | only once retired: when it stops verifying    |
// | registered client     | OAUTH#CLIENT  | <client_id>       | 24 h if never approved, else 180 d after use  |
// | authorization code    | OAUTH#CODE    | <sha256(code)>    | 1 h (valid 2 min; kept to detect reuse)       |
// | grant (refresh chain) | OAUTH#GRANT   | <grant id>        | 90 d after the last refresh (or revocation)  |
// | consent guard         | OAUTH#CONSENT | GUARD             | 24 h after the last attempt                  |
//
// DynamoDB deletes expired items lazily (typically within days), so every read checks expiresAt itself.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type {
  ClientRecord,
  CodeRecord,
  ConsentGuardRecord,
  GrantRecord,
  OAuthStore,
  RedeemResult,
  SigningKeyRecord,
} from "../oauth/store.ts";
import { expressionAttributeNames } from "./expressions.ts";
import {
  clientFrom,
  codeFrom,
  grantFrom,
  keyOf,
  number,
  numberOf,
  signingKeyFrom,
  ttl,
} from "./oauth-items.ts";
import table from "./table.json" with { type: "json" };

/** The commands this file sends at run time: what the Lambda's IAM policy must allow besides the store's. */
export const OAUTH_DYNAMODB_COMMANDS_USED = [
  "DeleteItem",
  "GetItem",
  "PutItem",
  "Query",
  "UpdateItem",
] as const;
/** The IAM actions behind OAUTH_DYNAMODB_COMMANDS_USED (no transactions here: one action per command). */
export const OAUTH_DYNAMODB_IAM_ACTIONS = [
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
] as const;

const KEY_PARTITION = "OAUTH#KEY";
const CLIENT_PARTITION = "OAUTH#CLIENT";
const CODE_PARTITION = "OAUTH#CODE";
const GRANT_PARTITION = "OAUTH#GRANT";
const CONSENT_PARTITION = "OAUTH#CONSENT";
const CONSENT_GUARD_SK = "GUARD";

export interface OAuthStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

export function createOAuthStore(options: OAuthStoreOptions): OAuthStore {
  return new DynamoDbOAuthStore(options.client, options.tableName);
}

// Names and condition pieces; each request's ExpressionAttributeNames holds exactly the placeholders used.
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  "#pk": table.partitionKey.name,
  "#sk": table.sortKey.name,
  "#expiresAt": table.ttlAttribute,
  "#usedAt": "usedAt",
  "#approvedAt": "approvedAt",
  "#generation": "generation",
  "#lastUsedAt": "lastUsedAt",
  "#attempts": "attempts",
  "#retiresAt": "retiresAt",
};
const ITEM_IS_ABSENT = "attribute_not_exists(#pk)";
const ITEM_EXISTS = "attribute_exists(#pk)";
const CODE_IS_UNUSED = `${ITEM_EXISTS} AND attribute_not_exists(#usedAt)`;
const CLIENT_NEVER_APPROVED = `${ITEM_EXISTS} AND attribute_not_exists(#approvedAt)`;
const GENERATION_IS_AS_READ = "#generation = :generation";
const GUARD_IS_AS_READ = "#attempts = :attempts";
const IN_PARTITION = "#pk = :partition";

type Item = Record<string, AttributeValue>;

class DynamoDbOAuthStore implements OAuthStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return (await this.queryPartition(KEY_PARTITION)).map(signingKeyFrom);
  }

  async putSigningKey(key: SigningKeyRecord): Promise<boolean> {
    const item: Item = {
      ...keyOf(KEY_PARTITION, key.kid),
      secret: { B: key.secret },
      createdAt: number(key.createdAt),
    };
    return this.putIf(item, ITEM_IS_ABSENT);
  }

  async retireSigningKey(kid: string, retiresAt: number): Promise<void> {
    const expression = "SET #retiresAt = :retiresAt, #expiresAt = :expiresAt";
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: keyOf(KEY_PARTITION, kid),
        UpdateExpression: expression,
        ConditionExpression: ITEM_EXISTS,
        ExpressionAttributeNames: attributeNames(expression, ITEM_EXISTS),
        ExpressionAttributeValues: { ":retiresAt": number(retiresAt), ":expiresAt": ttl(retiresAt) },
      }),
    );
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const item = await this.get(CLIENT_PARTITION, clientId);
    return item === undefined ? undefined : clientFrom(item);
  }

  async listClients(): Promise<ClientRecord[]> {
    return (await this.queryPartition(CLIENT_PARTITION)).map(clientFrom);
  }

  async putClient(client: ClientRecord): Promise<void> {
    const item: Item = {
      ...keyOf(CLIENT_PARTITION, client.clientId),
      clientName: { S: client.clientName },
      redirectUris: { L: client.redirectUris.map((uri) => ({ S: uri })) },
      grantTypes: { L: client.grantTypes.map((type) => ({ S: type })) },
      authMethod: { S: client.authMethod },
      createdAt: number(client.createdAt),
      [table.ttlAttribute]: ttl(client.expiresAt),
    };
    if (client.secretHash !== undefined) item.secretHash = { S: client.secretHash };
    if (client.approvedAt !== undefined) item.approvedAt = number(client.approvedAt);
    if (!(await this.putIf(item, ITEM_IS_ABSENT))) throw new Error("client id collision");
  }

  async deleteUnapprovedClient(clientId: string): Promise<boolean> {
    return this.deleteIf(CLIENT_PARTITION, clientId, CLIENT_NEVER_APPROVED);
  }

  async touchClient(clientId: string, now: number, expiresAt: number): Promise<boolean> {
    const expression = "SET #approvedAt = if_not_exists(#approvedAt, :now), #expiresAt = :expiresAt";
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(CLIENT_PARTITION, clientId),
          UpdateExpression: expression,
          ConditionExpression: ITEM_EXISTS,
          ExpressionAttributeNames: attributeNames(expression, ITEM_EXISTS),
          ExpressionAttributeValues: { ":now": number(now), ":expiresAt": ttl(expiresAt) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putCode(code: CodeRecord): Promise<void> {
    const item: Item = {
      ...keyOf(CODE_PARTITION, code.codeHash),
      clientId: { S: code.clientId },
      redirectUri: { S: code.redirectUri },
      codeChallenge: { S: code.codeChallenge },
      resource: { S: code.resource },
      scope: { S: code.scope },
      grantId: { S: code.grantId },
      approvedBy: { S: code.approvedBy },
      validUntil: number(code.validUntil),
      [table.ttlAttribute]: ttl(code.expiresAt),
    };
    if (!(await this.putIf(item, ITEM_IS_ABSENT))) throw new Error("authorization code collision");
  }

  async redeemCode(codeHash: string, now: number): Promise<RedeemResult> {
    const expression = "SET #usedAt = :now";
    try {
      const output = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(CODE_PARTITION, codeHash),
          UpdateExpression: expression,
          ConditionExpression: CODE_IS_UNUSED,
          ExpressionAttributeNames: attributeNames(expression, CODE_IS_UNUSED),
          ExpressionAttributeValues: { ":now": number(now) },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { kind: "redeemed", code: codeFrom(output.Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Either no such code, or it was used before: only the latter can have handed out a grant.
    const item = await this.get(CODE_PARTITION, codeHash);
    return item === undefined ? { kind: "unknown" } : { kind: "reused", code: codeFrom(item) };
  }

  async putGrant(grant: GrantRecord): Promise<boolean> {
    const item: Item = {
      ...keyOf(GRANT_PARTITION, grant.grantId),
      clientId: { S: grant.clientId },
      resource: { S: grant.resource },
      scope: { S: grant.scope },
      seed: { B: grant.seed },
      generation: number(grant.generation),
      approvedBy: { S: grant.approvedBy },
      createdAt: number(grant.createdAt),
      [table.ttlAttribute]: ttl(grant.expiresAt),
    };
    return this.putIf(item, ITEM_IS_ABSENT);
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    const item = await this.get(GRANT_PARTITION, grantId);
    return item === undefined || item.revokedAt !== undefined ? undefined : grantFrom(item);
  }

  async advanceGrant(grantId: string, generation: number, now: number, expiresAt: number): Promise<boolean> {
    const expression = "SET #generation = :next, #expiresAt = :expiresAt, #lastUsedAt = :now";
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(GRANT_PARTITION, grantId),
          UpdateExpression: expression,
          ConditionExpression: GENERATION_IS_AS_READ,
          ExpressionAttributeNames: attributeNames(expression, GENERATION_IS_AS_READ),
          ExpressionAttributeValues: {
            ":generation": number(generation),
            ":next": number(generation + 1),
            ":expiresAt": ttl(expiresAt),
            ":now": number(now),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async revokeGrant(grantId: string, now: number, expiresAt: number): Promise<void> {
    // A tombstone rather than a delete: a grant that a racing code redemption is about to create then
    // fails its attribute_not_exists condition instead of appearing after its revocation.
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...keyOf(GRANT_PARTITION, grantId),
          revokedAt: number(now),
          [table.ttlAttribute]: ttl(expiresAt),
        },
      }),
    );
  }

  async getConsentGuard(): Promise<ConsentGuardRecord | undefined> {
    const item = await this.get(CONSENT_PARTITION, CONSENT_GUARD_SK);
    if (item === undefined) return undefined;
    return {
      attempts: numberOf(item.attempts),
      lockedUntil: numberOf(item.lockedUntil),
      expiresAt: numberOf(item[table.ttlAttribute]) * 1000,
    };
  }

  async replaceConsentGuard(
    previous: ConsentGuardRecord | undefined,
    next: ConsentGuardRecord,
  ): Promise<boolean> {
    const item: Item = {
      ...keyOf(CONSENT_PARTITION, CONSENT_GUARD_SK),
      attempts: number(next.attempts),
      lockedUntil: number(next.lockedUntil),
      [table.ttlAttribute]: ttl(next.expiresAt),
    };
    if (previous === undefined) return this.putIf(item, ITEM_IS_ABSENT);
    return this.putIf(item, GUARD_IS_AS_READ, { ":attempts": number(previous.attempts) });
  }

  async clearConsentGuard(): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: keyOf(CONSENT_PARTITION, CONSENT_GUARD_SK),
      }),
    );
  }

  private async get(partition: string, sortKey: string): Promise<Item | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: keyOf(partition, sortKey),
        ConsistentRead: true,
      }),
    );
    return output.Item;
  }

  /** Every item of a small partition (signing keys, clients: a few hundred at most). */
  private async queryPartition(partition: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: IN_PARTITION,
          ExpressionAttributeNames: attributeNames(IN_PARTITION),
          ExpressionAttributeValues: { ":partition": { S: partition } },
          ConsistentRead: true,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  private async putIf(item: Item, condition: string, values?: Item): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: attributeNames(condition),
          ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async deleteIf(partition: string, sortKey: string, condition: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyOf(partition, sortKey),
          ConditionExpression: condition,
          ExpressionAttributeNames: attributeNames(condition),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function attributeNames(...expressions: string[]): Record<string, string> {
  return expressionAttributeNames(ATTRIBUTE_NAMES, expressions);
}
