// The OAuth state the authorization server keeps: its records and the OAuthStore contract, free of any AWS
// type. The DynamoDB implementation is src/dynamodb/oauth-store.ts; tests run it against dynalite.
import type { KeyGuardRecord } from "../signin/key-guard.ts";

export interface SigningKeyRecord {
  kid: string;
  /** 32 random bytes; the purpose keys are derived from it (./signing-keys.ts). */
  secret: Buffer;
  createdAt: number;
  /** Set on rotation: the key verifies until then and never signs again. Epoch ms. */
  retiresAt?: number;
}

export type ClientAuthMethod = "none" | "client_secret_basic" | "client_secret_post";

export interface ClientRecord {
  clientId: string;
  clientName: string;
  redirectUris: string[];
  grantTypes: string[];
  authMethod: ClientAuthMethod;
  /** Hex SHA-256 of the client secret, for confidential clients. */
  secretHash?: string;
  createdAt: number;
  /** When the owner first approved this client on the consent page. */
  approvedAt?: number;
  /** Epoch ms; stored as epoch seconds in the TTL attribute. */
  expiresAt: number;
}

export interface CodeRecord {
  codeHash: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  scope: string;
  /** The grant this code creates; named up front so that a reused code can revoke it. */
  grantId: string;
  /** SHA-256 (hex) of the API key that approved it: retiring that key ends the grant. */
  approvedBy: string;
  /** The code is redeemable until then (epoch ms); the item lives longer to recognise reuse. */
  validUntil: number;
  expiresAt: number;
  usedAt?: number;
}

export interface GrantRecord {
  grantId: string;
  clientId: string;
  resource: string;
  scope: string;
  /** 32 random bytes; refresh token n of the chain is HMAC(seed, n) (./token.ts). */
  seed: Buffer;
  /** The number of the one refresh token that is still redeemable. */
  generation: number;
  /** SHA-256 (hex) of the API key that approved the grant: once that key is retired, no refresh. */
  approvedBy: string;
  createdAt: number;
  expiresAt: number;
}

/** The wrong-key counter both sign-in pages share (src/signin/key-guard.ts): one item a deployment. */
export type ConsentGuardRecord = KeyGuardRecord;

export type RedeemResult =
  | { kind: "redeemed"; code: CodeRecord }
  | { kind: "reused"; code: CodeRecord }
  | { kind: "unknown" };

export interface OAuthStore {
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** False when an item with this kid already exists. */
  putSigningKey(key: SigningKeyRecord): Promise<boolean>;
  retireSigningKey(kid: string, retiresAt: number): Promise<void>;

  getClient(clientId: string): Promise<ClientRecord | undefined>;
  listClients(): Promise<ClientRecord[]>;
  putClient(client: ClientRecord): Promise<void>;
  /** Deletes a client only while the owner has never approved it; false if it was approved or is gone. */
  deleteUnapprovedClient(clientId: string): Promise<boolean>;
  /** Marks the client approved (once) and moves its expiry; false if the client is gone. */
  touchClient(clientId: string, now: number, expiresAt: number): Promise<boolean>;

  putCode(code: CodeRecord): Promise<void>;
  /** Marks the code used, atomically: exactly one caller ever gets "redeemed". */
  redeemCode(codeHash: string, now: number): Promise<RedeemResult>;

  /** False when the grant id is taken, e.g. by the tombstone of a revocation that came first. */
  putGrant(grant: GrantRecord): Promise<boolean>;
  /** Undefined for an unknown or revoked grant. */
  getGrant(grantId: string): Promise<GrantRecord | undefined>;
  /** Advances the refresh chain from `generation`; false when another redemption got there first. */
  advanceGrant(grantId: string, generation: number, now: number, expiresAt: number): Promise<boolean>;
  /** Replaces the grant, existing or not yet, by a tombstone: no refresh token of it works again. */
  revokeGrant(grantId: string, now: number, expiresAt: number): Promise<void>;

  getConsentGuard(): Promise<ConsentGuardRecord | undefined>;
  /** Writes `next` only if the guard is still `previous` (undefined: absent); false if it changed. */
  replaceConsentGuard(previous: ConsentGuardRecord | undefined, next: ConsentGuardRecord): Promise<boolean>;
  clearConsentGuard(): Promise<void>;
}
