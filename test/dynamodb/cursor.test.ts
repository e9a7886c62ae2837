// Pins down list cursors (src/dynamodb/cursor.ts) on their own: a cursor carries its position back exactly,
// is bound to the tag filter it was made for, and anything not signed by this secret (edited, truncated,
// foreign, garbage, oversized) is refused with the same message, never a crash.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";
import { createCursorCodec, filterKey } from "../../src/dynamodb/cursor.ts";

const SECRET = "cursor test secret";
const SK = "M#01J0000000000000000000000Z";
const INVALID = {
  ok: false,
  message:
    "The cursor is not valid: pass the nextCursor of the previous page unchanged, or omit it to start over.",
};
const OTHER_FILTER = {
  ok: false,
  message:
    "The cursor belongs to a listing with different tags: repeat the tags of the first page, or omit the cursor to start over.",
};

/** A cursor signed with SECRET as the format says: base64url(JSON) "." base64url(HMAC-SHA256[0..16]). */
function signed(payload: unknown): string {
  const text = Buffer.from(JSON.stringify(payload)).toString("base64url");
  const mac = createHmac("sha256", SECRET).update(text).digest().subarray(0, 16).toString("base64url");
  return `${text}.${mac}`;
}

describe("encode and decode", () => {
  const codec = createCursorCodec(SECRET);
  const filter = filterKey(["family", "health"]);

  test("a cursor decodes to its position under the filter it was made for", () => {
    const cursor = codec.encode(SK, filter);
    assert.match(cursor, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(codec.decode(cursor, filter), { ok: true, sk: SK });
    assert.equal(cursor, signed({ v: 1, sk: SK, f: filter }), "the documented format");
  });

  test("under another tag filter it is refused, saying so", () => {
    assert.deepEqual(codec.decode(codec.encode(SK, filter), filterKey([])), OTHER_FILTER);
  });

  test("a byte changed inside the signed payload is refused", () => {
    const [payload = "", mac = ""] = codec.encode(SK, filter).split(".");
    const bytes = Buffer.from(payload, "base64url");
    const at = bytes.indexOf("M#");
    bytes[at] = "N".charCodeAt(0);
    assert.deepEqual(codec.decode(`${bytes.toString("base64url")}.${mac}`, filter), INVALID);
  });

  test("forged, truncated, foreign, garbage and oversized cursors are refused alike", () => {
    const cursor = codec.encode(SK, filter);
    const [payload = "", mac = ""] = cursor.split(".");
    const attempts: Record<string, string> = {
      "signed with another secret": createCursorCodec("another secret").encode(SK, filter),
      "signature truncated": `${payload}.${mac.slice(0, -1)}`,
      "signature missing": payload,
      "empty signature": `${payload}.`,
      "extra part": `${cursor}.x`,
      "not base64url": `${payload}.${mac.slice(0, -1)}=`,
      "unsigned payload": Buffer.from(JSON.stringify({ v: 1, sk: SK, f: filter })).toString("base64url"),
      empty: "",
      garbage: "hello",
      oversized: `${"A".repeat(1_100)}.${mac}`,
    };
    for (const [what, attempt] of Object.entries(attempts)) {
      assert.deepEqual(codec.decode(attempt, filter), INVALID, what);
    }
  });

  test("a correctly signed payload of another shape or version is refused", () => {
    for (const payload of [
      { v: 2, sk: SK, f: filter },
      { v: 1, sk: 5, f: filter },
      { v: 1, sk: SK },
      [1],
      "text",
      null,
    ]) {
      assert.deepEqual(codec.decode(signed(payload), filter), INVALID, JSON.stringify(payload));
    }
    const notJson = Buffer.from("{not json").toString("base64url");
    const mac = createHmac("sha256", SECRET).update(notJson).digest().subarray(0, 16).toString("base64url");
    assert.deepEqual(codec.decode(`${notJson}.${mac}`, filter), INVALID);
  });

  test("an empty secret is a programming error, thrown at once", () => {
    assert.throws(() => createCursorCodec(""), { message: "cursorSecret must not be empty" });
  });
});

describe("filterKey", () => {
  test("is short and stable, and tells tag lists apart", () => {
    const key = filterKey(["family", "health"]);
    assert.match(key, /^[A-Za-z0-9_-]{11}$/);
    assert.equal(filterKey(["family", "health"]), key);
    assert.notEqual(filterKey(["family"]), key);
    assert.notEqual(filterKey([]), key);
    assert.notEqual(filterKey(["family,health"]), filterKey(["family", "health"]));
  });
});
