// List cursors: an opaque, tamper-evident position (the last returned sort key) bound to the tag filter
// it was made for. Format: base64url(JSON {v, sk, f}) "." base64url(HMAC-SHA256(secret, payload)[0..16]).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const CURSOR_VERSION = 1;
/** 128 bits of HMAC: far beyond guessing, and keeps cursors short. */
const MAC_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Real cursors are ~100 characters; refusing long input early bounds the work done on garbage. */
const MAX_CURSOR_LENGTH = 1_024;

export type CursorResult = { ok: true; sk: string } | { ok: false; message: string };

export interface CursorCodec {
  /** `filter` is the key of the tag filter the listing used (see filterKey). */
  encode(sk: string, filter: string): string;
  decode(cursor: string, filter: string): CursorResult;
}

/**
 * A short, stable key of a normalised (lowercase, deduplicated) tag filter. The filter is a set, so the key
 * ignores order: the next page may name the tags in another order. Sorted tags give the same key as before.
 */
export function filterKey(tags: readonly string[]): string {
  const set = JSON.stringify([...tags].sort());
  return createHash("sha256").update(set).digest().subarray(0, 8).toString("base64url");
}

export function createCursorCodec(secret: string | Uint8Array): CursorCodec {
  if (secret.length === 0) throw new Error("cursorSecret must not be empty");
  const sign = (payload: string): Buffer =>
    createHmac("sha256", secret).update(payload).digest().subarray(0, MAC_BYTES);

  return {
    encode(sk: string, filter: string): string {
      const payload = Buffer.from(JSON.stringify({ v: CURSOR_VERSION, sk, f: filter })).toString("base64url");
      return `${payload}.${sign(payload).toString("base64url")}`;
    },

    decode(cursor: string, filter: string): CursorResult {
      const invalid: CursorResult = {
        ok: false,
        message:
          "The cursor is not valid: pass the nextCursor of the previous page unchanged, or omit it to start over.",
      };
      if (cursor.length > MAX_CURSOR_LENGTH) return invalid;
      const [payload, mac, ...rest] = cursor.split(".");
      if (payload === undefined || mac === undefined || rest.length > 0) return invalid;
      if (!BASE64URL.test(payload) || !BASE64URL.test(mac)) return invalid;
      const given = Buffer.from(mac, "base64url");
      // timingSafeEqual throws on a length mismatch, so a truncated signature is checked first.
      if (given.length !== MAC_BYTES || !timingSafeEqual(given, sign(payload))) return invalid;

      // The signature is ours from here on, so a bad shape means a cursor of another version.
      const position = parsePayload(Buffer.from(payload, "base64url").toString("utf8"));
      if (position === undefined) return invalid;
      if (position.f !== filter) {
        return {
          ok: false,
          message:
            "The cursor belongs to a listing with different tags: repeat the tags of the first page, or omit the cursor to start over.",
        };
      }
      return { ok: true, sk: position.sk };
    },
  };
}

function parsePayload(json: string): { sk: string; f: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { v, sk, f } = value as Record<string, unknown>; // narrowed to an object just above
  if (v !== CURSOR_VERSION || typeof sk !== "string" || typeof f !== "string") return undefined;
  return { sk, f };
}
