// Pins down the API key check (src/protocol/auth.ts) on its own: how MCP_API_KEY_SHA256 is parsed (every
// refusal says what is wrong without echoing a value), the SHA-256 digest, and which of several active
// digests a key matches, as during a rotation.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { keyMatches, matchingDigest, parseKeyDigests, sha256Hex } from "../../src/protocol/auth.ts";

/** SHA-256("abc"), FIPS 180-2 appendix B.1. */
const ABC_DIGEST = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const OTHER_DIGEST = sha256Hex("another key");

describe("parseKeyDigests", () => {
  test("reads comma-separated digests, ignoring spaces and empty entries", () => {
    assert.deepEqual(parseKeyDigests(` ${ABC_DIGEST} ,, ${OTHER_DIGEST},`), {
      ok: true,
      digests: [Buffer.from(ABC_DIGEST, "hex"), Buffer.from(OTHER_DIGEST, "hex")],
    });
  });

  test("an unset or empty value refuses every request, and says so", () => {
    for (const value of [undefined, "", " , "]) {
      assert.deepEqual(
        parseKeyDigests(value),
        { ok: false, error: "MCP_API_KEY_SHA256 is empty: every request will be refused" },
        String(value),
      );
    }
  });

  test("entries that are not 64 lowercase hex digits are counted, never echoed", () => {
    assert.deepEqual(parseKeyDigests(`${ABC_DIGEST.toUpperCase()},${ABC_DIGEST},plain-key-by-mistake`), {
      ok: false,
      error: "MCP_API_KEY_SHA256 has 2 entr(ies) that are not 64 lowercase hex digits",
    });
    assert.deepEqual(parseKeyDigests(ABC_DIGEST.slice(1)), {
      ok: false,
      error: "MCP_API_KEY_SHA256 has 1 entr(ies) that are not 64 lowercase hex digits",
    });
  });
});

describe("digests and matching", () => {
  test("sha256Hex is lowercase hex SHA-256 of the UTF-8 text", () => {
    assert.equal(sha256Hex("abc"), ABC_DIGEST);
    assert.equal(sha256Hex("é"), "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"); // sha256sum of the bytes c3 a9
  });

  test("a key matches whichever active digest it hashes to, and only that one", () => {
    const digests = [Buffer.from(OTHER_DIGEST, "hex"), Buffer.from(ABC_DIGEST, "hex")];
    assert.deepEqual(
      ["abc", "another key", "ABC", "abc ", ""].map((key) => [
        keyMatches(key, digests),
        matchingDigest(key, digests),
      ]),
      [
        [true, ABC_DIGEST],
        [true, OTHER_DIGEST],
        [false, undefined],
        [false, undefined],
        [false, undefined],
      ],
    );
  });

  test("no active digest matches no key", () => {
    assert.deepEqual([keyMatches("abc", []), matchingDigest("abc", [])], [false, undefined]);
  });
});
