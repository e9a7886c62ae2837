// API key check: keys are known only by their SHA-256 digests and compared in constant time.
// The plain key never lives in AWS; several digests may be active at once for rotation.
import { hash, timingSafeEqual } from "node:crypto";

const DIGEST = /^[0-9a-f]{64}$/;

export type DigestsResult = { ok: true; digests: Buffer[] } | { ok: false; error: string };

/** Parses `MCP_API_KEY_SHA256`: comma-separated lowercase hex SHA-256 digests. */
export function parseKeyDigests(value: string | undefined): DigestsResult {
  const entries = (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0)
    return { ok: false, error: "MCP_API_KEY_SHA256 is empty: every request will be refused" };
  const bad = entries.filter((entry) => !DIGEST.test(entry));
  if (bad.length > 0) {
    // Say how many and which positions, never the values.
    return {
      ok: false,
      error: `MCP_API_KEY_SHA256 has ${bad.length} entr(ies) that are not 64 lowercase hex digits`,
    };
  }
  return { ok: true, digests: entries.map((entry) => Buffer.from(entry, "hex")) };
}

export function sha256Hex(text: string): string {
  return hash("sha256", text, "hex");
}

/**
 * True when the key's digest equals one of the accepted digests. Every digest is compared, and
 * each comparison is constant-time over equal-length digests, so timing reveals neither which
 * digest matched nor how much of one did.
 */
export function keyMatches(key: string, digests: readonly Buffer[]): boolean {
  return matchingDigest(key, digests) !== undefined;
}

/** Which accepted digest the key hashes to (lowercase hex), or undefined; the same constant-time comparison. */
export function matchingDigest(key: string, digests: readonly Buffer[]): string | undefined {
  const candidate = hash("sha256", key, "buffer");
  let matched: Buffer | undefined;
  for (const digest of digests) {
    if (timingSafeEqual(candidate, digest)) matched = digest;
  }
  return matched?.toString("hex");
}
