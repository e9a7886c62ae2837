// Pins down Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-00): which client_id
// URLs are accepted, which documents are refused, the cache (Cache-Control within bounds, errors never
// kept), the production fetch's SSRF guard (no loopback, private or otherwise non-public address, no
// plain http), and the consent page of such a client naming the host that vouches for it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ClientMetadataDocuments,
  checkClientIdUrl,
  type FetchedDocument,
  fetchPublicHttps,
  isPublicAddress,
  MAX_DOCUMENT_BYTES,
  type MetadataFetch,
  parseDocument,
} from "../../src/oauth/client-metadata-document.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import { authorizeQuery, openConsent, pkcePair, REDIRECT_URI, startHarness } from "./support.ts";

const CLIENT_ID = "https://client.example.test/oauth/client.json";
const DOCUMENT = {
  client_id: CLIENT_ID,
  client_name: "Document Client",
  redirect_uris: [REDIRECT_URI],
  grant_types: ["authorization_code", "refresh_token"],
  token_endpoint_auth_method: "none",
};

function served(document: unknown, headers: Partial<FetchedDocument> = {}): FetchedDocument {
  return {
    status: 200,
    contentType: "application/json",
    cacheControl: undefined,
    body: Buffer.from(typeof document === "string" ? document : JSON.stringify(document)),
    ...headers,
  };
}

let database: Dynalite;
before(async () => {
  database = await startDynalite();
});
after(async () => {
  await database.stop();
});

describe("client_id URLs", () => {
  test("https with a path is accepted; anything else is refused with the reason", () => {
    assert.equal(checkClientIdUrl(CLIENT_ID).ok, true);
    const cases: [string, string][] = [
      ["http://client.example.test/c.json", "it must use https"],
      ["https://client.example.test/", "it must have a path"],
      ["https://client.example.test", "it must have a path"],
      ["https://client.example.test/a/../c.json", "it must not have dot segments"],
      ["https://client.example.test/c.json#x", "it must not have a fragment"],
      ["https://user@client.example.test/c.json", "it must not carry user info"],
      ["https://client.example.test/c.json?v=1", "it must not have a query"],
    ];
    for (const [url, problem] of cases) {
      assert.deepEqual(checkClientIdUrl(url), { ok: false, error: `invalid client_id URL: ${problem}` }, url);
    }
  });
});

describe("documents", () => {
  test("a valid document gives the client's name and redirect URIs", () => {
    assert.deepEqual(parseDocument(CLIENT_ID, served(DOCUMENT)), {
      ok: true,
      client: { clientId: CLIENT_ID, clientName: "Document Client", redirectUris: [REDIRECT_URI] },
    });
    assert.equal(
      parseDocument(CLIENT_ID, served(DOCUMENT, { contentType: "application/vnd.x+json" })).ok,
      true,
    );
  });

  test("every malformed or unsafe document is refused, saying why", () => {
    const cases: [FetchedDocument, string][] = [
      [served(DOCUMENT, { status: 302 }), "HTTP status 302, expected 200"],
      [served(DOCUMENT, { contentType: "text/html" }), "it is not served as JSON"],
      [served("x".repeat(MAX_DOCUMENT_BYTES + 1)), `it is larger than ${MAX_DOCUMENT_BYTES} bytes`],
      [served("{oops"), "it is not valid JSON"],
      [served([DOCUMENT]), "it is not a JSON object"],
      [
        served({ ...DOCUMENT, client_id: `${CLIENT_ID}/` }),
        "its client_id is not exactly the URL it was fetched from",
      ],
      [served({ ...DOCUMENT, client_name: " " }), "it has no client_name"],
      [served({ ...DOCUMENT, redirect_uris: [] }), "it has no redirect_uris"],
      [
        served({ ...DOCUMENT, redirect_uris: ["http://evil.example/cb"] }),
        "a redirect URI must use https, or http on a loopback address: http://evil.example/cb",
      ],
      [served({ ...DOCUMENT, client_secret: "s" }), "it holds a client_secret"],
      [
        served({ ...DOCUMENT, token_endpoint_auth_method: "client_secret_basic" }),
        'only token_endpoint_auth_method "none" is supported',
      ],
      [
        served({ ...DOCUMENT, grant_types: ["refresh_token"] }),
        "its grant_types leave out authorization_code",
      ],
    ];
    for (const [fetched, reason] of cases) {
      assert.deepEqual(
        parseDocument(CLIENT_ID, fetched),
        { ok: false, error: `the client metadata document was refused: ${reason}` },
        reason,
      );
    }
  });

  test("valid documents are cached as Cache-Control says, within 1 minute to 1 hour; errors never", async () => {
    let clock = 0;
    let fetches = 0;
    let answer = served(DOCUMENT, { cacheControl: "public, max-age=600" });
    const fetchDocument: MetadataFetch = async () => {
      fetches += 1;
      return answer;
    };
    const documents = new ClientMetadataDocuments(fetchDocument, () => clock);
    await documents.resolve(CLIENT_ID);
    await documents.resolve(CLIENT_ID);
    assert.equal(fetches, 1, "served from the cache within max-age");
    clock += 600_000;
    await documents.resolve(CLIENT_ID);
    assert.equal(fetches, 2, "fetched again once max-age has passed");

    answer = served(DOCUMENT, { cacheControl: "no-store" });
    clock += 3_600_000;
    await documents.resolve(CLIENT_ID);
    await documents.resolve(CLIENT_ID);
    assert.equal(fetches, 4, "no-store: never kept");

    answer = served(DOCUMENT, { status: 500 });
    assert.equal((await documents.resolve(CLIENT_ID)).ok, false);
    answer = served(DOCUMENT, { cacheControl: "max-age=1" });
    assert.equal((await documents.resolve(CLIENT_ID)).ok, true, "the error was not cached");
    clock += 59_000;
    await documents.resolve(CLIENT_ID);
    assert.equal(fetches, 6, "max-age=1 is raised to the 1-minute floor");
  });
});

describe("the production fetch", () => {
  test("refuses loopback, private and other non-public addresses before connecting", async () => {
    for (const url of [
      "https://127.0.0.1/c.json",
      "https://10.0.0.8/c.json",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/c.json",
      "https://[::ffff:127.0.0.1]/c.json",
      "https://localhost/c.json",
    ]) {
      await assert.rejects(
        fetchPublicHttps(new URL(url), { maxBytes: MAX_DOCUMENT_BYTES, timeoutMs: 2_000 }),
        (error: Error) =>
          error.name === "MetadataFetchError" && /not a public address|non-public/.test(error.message),
        url,
      );
    }
    await assert.rejects(
      fetchPublicHttps(new URL("http://example.com/c.json"), { maxBytes: 10, timeoutMs: 100 }),
      /not an https URL/,
    );
  });

  test("classifies addresses: only globally routable ones are public", () => {
    const expectations: [string, boolean][] = [
      ["93.184.216.34", true],
      ["8.8.8.8", true],
      ["2606:4700::1111", true],
      ["127.0.0.1", false],
      ["0.0.0.0", false],
      ["10.1.2.3", false],
      ["172.16.0.1", false],
      ["172.32.0.1", true],
      ["192.168.1.1", false],
      ["100.64.0.1", false],
      ["169.254.169.254", false],
      ["192.0.2.1", false],
      ["198.18.0.1", false],
      ["224.0.0.1", false],
      ["255.255.255.255", false],
      ["::", false],
      ["::1", false],
      ["fe80::1", false],
      ["fc00::1", false],
      ["fd12:3456::1", false],
      ["ff02::1", false],
      ["::ffff:10.0.0.1", false],
      ["::ffff:8.8.8.8", true],
      ["64:ff9b::7f00:1", false],
      ["2002:7f00:1::", false],
      ["2001:db8::1", false],
      ["not an address", false],
    ];
    for (const [address, expected] of expectations) assert.equal(isPublicAddress(address), expected, address);
  });
});

describe("at the authorization endpoint", () => {
  test("the consent page names the document's client and the host that vouches for it", async () => {
    const harness = await startHarness(database, { fetchClientMetadata: async () => served(DOCUMENT) });
    const page = await openConsent(harness, authorizeQuery(CLIENT_ID, pkcePair()));
    assert.equal(page.status, 200);
    assert.ok(page.body.includes("<h1>Allow Document Client to use your memory?</h1>"));
    assert.ok(page.body.includes("(as described by <strong>client.example.test</strong>)"));
  });

  test("a refused document, or a redirect URI it does not list, stops at an error page", async () => {
    const harness = await startHarness(database, {
      fetchClientMetadata: async (url) =>
        served(
          url.pathname === "/bad.json" ? { ...DOCUMENT, client_id: "https://elsewhere.example/x" } : DOCUMENT,
        ),
    });
    const refused = await openConsent(
      harness,
      authorizeQuery("https://client.example.test/bad.json", pkcePair()),
    );
    assert.equal(refused.status, 400);
    assert.match(
      refused.body,
      /The client metadata document was refused: its client_id is not exactly the URL/,
    );
    const unlisted = await openConsent(
      harness,
      authorizeQuery(CLIENT_ID, pkcePair(), { redirect_uri: "https://client.example.test/other" }),
    );
    assert.equal(unlisted.status, 400);
    assert.equal(unlisted.headers.location, undefined);
  });
});
