// Reading and writing the OAuth items' attributes: keys, numbers, TTLs, and each record read back from its
// item with every attribute checked. Used by ./oauth-store.ts only.
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type {
  ClientAuthMethod,
  ClientRecord,
  CodeRecord,
  GrantRecord,
  SigningKeyRecord,
} from "../oauth/store.ts";
import table from "./table.json" with { type: "json" };

type Item = Record<string, AttributeValue>;

export function keyOf(partition: string, sortKey: string): Item {
  return {
    [table.partitionKey.name]: { S: partition },
    [table.sortKey.name]: { S: sortKey },
  };
}

export function number(value: number): AttributeValue {
  return { N: String(value) };
}

/** DynamoDB TTL wants epoch seconds; rounding up never ends an item's life early. */
export function ttl(epochMs: number): AttributeValue {
  return { N: String(Math.ceil(epochMs / 1000)) };
}

export function stringOf(value: AttributeValue | undefined): string {
  if (value?.S === undefined) throw new Error("OAuth item: expected a string attribute");
  return value.S;
}

export function numberOf(value: AttributeValue | undefined): number {
  if (value?.N === undefined) throw new Error("OAuth item: expected a number attribute");
  return Number(value.N);
}

export function optionalNumber(value: AttributeValue | undefined): number | undefined {
  return value?.N === undefined ? undefined : Number(value.N);
}

export function bytesOf(value: AttributeValue | undefined): Buffer {
  if (value?.B === undefined) throw new Error("OAuth item: expected a binary attribute");
  return Buffer.from(value.B);
}

export function stringsOf(value: AttributeValue | undefined): string[] {
  return (value?.L ?? []).map(stringOf);
}

export function expiresAtOf(item: Item): number {
  return numberOf(item[table.ttlAttribute]) * 1000;
}

export function signingKeyFrom(item: Item): SigningKeyRecord {
  const retiresAt = optionalNumber(item.retiresAt);
  return {
    kid: stringOf(item[table.sortKey.name]),
    secret: bytesOf(item.secret),
    createdAt: numberOf(item.createdAt),
    ...(retiresAt === undefined ? {} : { retiresAt }),
  };
}

export function clientFrom(item: Item): ClientRecord {
  const approvedAt = optionalNumber(item.approvedAt);
  const secretHash = item.secretHash?.S;
  return {
    clientId: stringOf(item[table.sortKey.name]),
    clientName: stringOf(item.clientName),
    redirectUris: stringsOf(item.redirectUris),
    grantTypes: stringsOf(item.grantTypes),
    authMethod: stringOf(item.authMethod) as ClientAuthMethod, // written only from a ClientAuthMethod
    createdAt: numberOf(item.createdAt),
    expiresAt: expiresAtOf(item),
    ...(secretHash === undefined ? {} : { secretHash }),
    ...(approvedAt === undefined ? {} : { approvedAt }),
  };
}

export function codeFrom(item: Item): CodeRecord {
  const usedAt = optionalNumber(item.usedAt);
  return {
    codeHash: stringOf(item[table.sortKey.name]),
    clientId: stringOf(item.clientId),
    redirectUri: stringOf(item.redirectUri),
    codeChallenge: stringOf(item.codeChallenge),
    resource: stringOf(item.resource),
    scope: stringOf(item.scope),
    grantId: stringOf(item.grantId),
    approvedBy: stringOf(item.approvedBy),
    validUntil: numberOf(item.validUntil),
    expiresAt: expiresAtOf(item),
    ...(usedAt === undefined ? {} : { usedAt }),
  };
}

export function grantFrom(item: Item): GrantRecord {
  return {
    grantId: stringOf(item[table.sortKey.name]),
    clientId: stringOf(item.clientId),
    resource: stringOf(item.resource),
    scope: stringOf(item.scope),
    seed: bytesOf(item.seed),
    generation: numberOf(item.generation),
    approvedBy: stringOf(item.approvedBy),
    createdAt: numberOf(item.createdAt),
    expiresAt: expiresAtOf(item),
  };
}
