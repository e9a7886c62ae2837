// Access tokens: stateless JWTs in the shape of RFC 9068 (typ "at+jwt"), signed with HMAC-SHA256 under a
// key from ./signing-keys.ts and checked without any database read: signature (constant time), issuer,
// audience (the RFC 8707 resource, i.e. this server's /mcp), expiry and scope.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { SigningKey, SigningKeyRing } from "./signing-keys.ts";

/** Short, so a leaked token is worth little; the client refreshes silently. */
export const ACCESS_TOKEN_LIFETIME_S = 3600;
/** Tokens issued a little in the future (clock skew between containers) are still accepted. */
const MAX_CLOCK_SKEW_S = 60;
/** Real tokens are ~450 characters; anything far longer is refused before any work. */
const MAX_TOKEN_LENGTH = 2048;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

export interface AccessTokenClaims {
  iss: string;
  aud: string;
  /** The deployment has one owner; the token says it acts for them. */
  sub: string;
  client_id: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
}

export interface TokenSubject {
  issuer: string;
  resource: string;
  clientId: string;
  scope: string;
}

export type TokenCheck =
  | { ok: true; claims: AccessTokenClaims }
  | {
      ok: false;
      reason: "malformed" | "unknown_key" | "bad_signature" | "expired" | "wrong_issuer" | "wrong_audience";
    };

const OWNER_SUBJECT = "owner";

export function mintAccessToken(key: SigningKey, subject: TokenSubject, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: "HS256", typ: "at+jwt", kid: key.kid };
  const claims: AccessTokenClaims = {
    iss: subject.issuer,
    aud: subject.resource,
    sub: OWNER_SUBJECT,
    client_id: subject.clientId,
    scope: subject.scope,
    iat,
    exp: iat + ACCESS_TOKEN_LIFETIME_S,
    jti: randomBytes(12).toString("base64url"),
  };
  const signingInput = `${encodeJson(header)}.${encodeJson(claims)}`;
  return `${signingInput}.${sign(key, signingInput)}`;
}

export interface VerifyOptions {
  keys: SigningKeyRing;
  issuer: string;
  /** The canonical resource this server is: the token's audience must be exactly it. */
  resource: string;
  nowMs: number;
}

/** Never throws for a bad token; only a failure to load the keys (database) escapes. */
export async function verifyAccessToken(token: string, options: VerifyOptions): Promise<TokenCheck> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part)))
    return { ok: false, reason: "malformed" };
  const [encodedHeader = "", encodedClaims = "", signature = ""] = parts;
  const header = decodeJson(encodedHeader);
  // The algorithm is fixed, never taken from the token (no "none", no algorithm confusion).
  if (
    !isRecord(header) ||
    header.alg !== "HS256" ||
    header.typ !== "at+jwt" ||
    typeof header.kid !== "string"
  )
    return { ok: false, reason: "malformed" };
  const key = await options.keys.verifying(header.kid);
  if (key === undefined) return { ok: false, reason: "unknown_key" };
  const expected = Buffer.from(sign(key, `${encodedHeader}.${encodedClaims}`), "base64url");
  const presented = Buffer.from(signature, "base64url");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    return { ok: false, reason: "bad_signature" };
  const claims = decodeJson(encodedClaims);
  if (!isClaims(claims)) return { ok: false, reason: "malformed" };
  const now = Math.floor(options.nowMs / 1000);
  if (claims.exp <= now || claims.iat > now + MAX_CLOCK_SKEW_S) return { ok: false, reason: "expired" };
  if (claims.iss !== options.issuer) return { ok: false, reason: "wrong_issuer" };
  // RFC 8707 / MCP authorization "Token Handling": only tokens issued for this very resource.
  if (claims.aud !== options.resource) return { ok: false, reason: "wrong_audience" };
  return { ok: true, claims };
}

function sign(key: SigningKey, signingInput: string): string {
  return createHmac("sha256", key.keys["access-token"]).update(signingInput).digest("base64url");
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isClaims(value: unknown): value is AccessTokenClaims {
  return (
    isRecord(value) &&
    typeof value.iss === "string" &&
    typeof value.aud === "string" &&
    typeof value.sub === "string" &&
    typeof value.client_id === "string" &&
    typeof value.scope === "string" &&
    Number.isInteger(value.iat) &&
    Number.isInteger(value.exp) &&
    typeof value.jti === "string"
  );
}
