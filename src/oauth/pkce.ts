// PKCE (RFC 7636), S256 only: OAuth 2.1 §4.1.1 and the MCP authorization spec require S256 where possible,
// and "plain" would hand the verifier to anyone who sees the authorization request.
import { createHash, timingSafeEqual } from "node:crypto";

/** base64url of a SHA-256 digest: exactly 43 characters. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export function isS256Challenge(value: string): boolean {
  return CHALLENGE.test(value);
}

export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier) || !CHALLENGE.test(challenge)) return false;
  const computed = Buffer.from(createHash("sha256").update(verifier, "ascii").digest("base64url"));
  return timingSafeEqual(computed, Buffer.from(challenge));
}
