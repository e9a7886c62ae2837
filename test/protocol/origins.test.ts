// Pins down the Origin allow-list (src/protocol/origins.ts) on its own: which patterns parse (and the error
// naming one that does not), and which Origin header values each pattern admits: exact hosts, any
// subdomain, any port, default ports, case, and anything that is not a browser's origin.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_LAMBDA_ORIGINS, LOOPBACK_ORIGINS, OriginAllowList } from "../../src/protocol/origins.ts";

function allowList(patterns: readonly string[] | string): OriginAllowList {
  const parsed = OriginAllowList.parse(patterns);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
  return parsed.allow;
}

/** Which of `origins` the list admits, as [origin, allowed] pairs. */
function verdicts(list: OriginAllowList, origins: readonly string[]): [string, boolean][] {
  return origins.map((origin) => [origin, list.allows(origin)]);
}

describe("parse", () => {
  test("a pattern that is not scheme://host[:port] is a configuration error naming it", () => {
    for (const [list, entry] of [
      ["https://claude.ai, ftp://files.example", "ftp://files.example"],
      ["claude.ai", "claude.ai"],
      ["https://claude.ai/path", "https://claude.ai/path"],
      ["https://*", "https://*"],
      ["https://claude.ai:123456", "https://claude.ai:123456"],
    ] as const) {
      assert.deepEqual(OriginAllowList.parse(list), {
        ok: false,
        error: `not an origin pattern: ${JSON.stringify(entry)}`,
      });
    }
  });

  test("an empty list parses, and admits no origin at all", () => {
    const list = allowList("");
    assert.deepEqual(verdicts(list, ["https://claude.ai", "http://localhost:3000"]), [
      ["https://claude.ai", false],
      ["http://localhost:3000", false],
    ]);
  });
});

describe("allows", () => {
  test("Claude's web clients: the exact hosts and any subdomain, on the default port only", () => {
    const list = allowList(DEFAULT_LAMBDA_ORIGINS);
    assert.deepEqual(
      verdicts(list, [
        "https://claude.ai",
        "https://www.claude.ai",
        "https://a.b.claude.com",
        "https://claude.ai:443",
        "https://CLAUDE.AI",
        "https://claude.ai/",
        "http://claude.ai",
        "https://claude.ai:8443",
        "https://evilclaude.ai",
        "https://claude.ai.evil.example",
        "https://claude.ai/path",
        "null",
        "not an origin",
      ]),
      [
        ["https://claude.ai", true],
        ["https://www.claude.ai", true],
        ["https://a.b.claude.com", true],
        ["https://claude.ai:443", false],
        ["https://CLAUDE.AI", true],
        ["https://claude.ai/", true],
        ["http://claude.ai", false],
        ["https://claude.ai:8443", false],
        ["https://evilclaude.ai", false],
        ["https://claude.ai.evil.example", false],
        ["https://claude.ai/path", false],
        ["null", false],
        ["not an origin", false],
      ],
    );
  });

  test("the local server's loopback patterns admit any port on this machine only", () => {
    const list = allowList(LOOPBACK_ORIGINS);
    assert.deepEqual(
      verdicts(list, [
        "http://localhost:5173",
        "http://localhost",
        "http://127.0.0.1:8080",
        "http://[::1]:3000",
        "https://localhost:5173",
        "http://localhost.evil.example:5173",
        "http://192.168.1.2:5173",
      ]),
      [
        ["http://localhost:5173", true],
        ["http://localhost", true],
        ["http://127.0.0.1:8080", true],
        ["http://[::1]:3000", true],
        ["https://localhost:5173", false],
        ["http://localhost.evil.example:5173", false],
        ["http://192.168.1.2:5173", false],
      ],
    );
  });

  test("a comma-separated list: an exact port, a written default port, case and a trailing slash", () => {
    const list = allowList(" HTTPS://App.Example.com:443/ , http://dev.example:8080 ");
    assert.deepEqual(
      verdicts(list, [
        "https://app.example.com",
        "https://sub.app.example.com",
        "http://dev.example:8080",
        "http://dev.example:8081",
        "http://dev.example",
      ]),
      [
        ["https://app.example.com", true],
        ["https://sub.app.example.com", false],
        ["http://dev.example:8080", true],
        ["http://dev.example:8081", false],
        ["http://dev.example", false],
      ],
    );
  });
});
