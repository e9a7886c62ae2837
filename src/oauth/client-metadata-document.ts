// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-00, MCP authorization "Client
// ID Metadata Documents"): a client_id that is an https URL names a JSON document, fetched here, that lists
// the client's name and redirect URIs. This is how claude.ai identifies itself when the server offers it.
//
// The fetch is the risky part (§6.5 SSRF, §6.6 size): https only, every resolved address must be public
// (checked in the socket's own DNS lookup, so a rebinding answer cannot slip in between check and connect),
// no redirects followed, 5 KB, a 3 s deadline. Valid documents are cached per container (§4.4), errors never.
import type { LookupAddress, LookupOptions } from "node:dns";
import { request } from "node:https";
import { checkRedirectUri } from "./redirect-uri.ts";

// node:dns and node:net without an ES module import: the import builds each module's ESM facade, whose
// export getters load dns.promises, BlockList and SocketAddress at INIT (4 modules) for a path that only
// client registration takes. The modules themselves are loaded anyway (the AWS SDK's HTTP client uses them).
const { lookup: dnsLookup } = process.getBuiltinModule("node:dns");
const { isIP } = process.getBuiltinModule("node:net");

export const MAX_DOCUMENT_BYTES = 5 * 1024;
const FETCH_TIMEOUT_MS = 3_000;
const MAX_CLIENT_ID_LENGTH = 512;
const MAX_CLIENT_NAME_LENGTH = 200;
const MAX_DOCUMENT_REDIRECT_URIS = 10;
const DEFAULT_CACHE_MS = 5 * 60_000;
const MIN_CACHE_MS = 60_000;
const MAX_CACHE_MS = 60 * 60_000;
const MAX_CACHE_ENTRIES = 50;

export interface FetchedDocument {
  status: number;
  contentType: string | undefined;
  cacheControl: string | undefined;
  /** At most maxBytes + 1 bytes: one more than allowed means "too large". */
  body: Buffer;
}

/** The network hop alone; everything that decides whether the answer is acceptable lives in this file. */
export type MetadataFetch = (
  url: URL,
  limits: { maxBytes: number; timeoutMs: number },
) => Promise<FetchedDocument>;

export interface DocumentClient {
  clientId: string;
  clientName: string;
  redirectUris: string[];
}

export type DocumentResult = { ok: true; client: DocumentClient } | { ok: false; error: string };

/** Client ids that are URLs go through this file; every other client_id is a registered one. */
export function isClientIdUrl(clientId: string): boolean {
  return clientId.startsWith("https://") || clientId.startsWith("http://");
}

/** §3: https, a path, no dot segments, no fragment, no user info; and (SHOULD NOT, refused here) no query. */
export function checkClientIdUrl(clientId: string): { ok: true; url: URL } | { ok: false; error: string } {
  if (clientId.length > MAX_CLIENT_ID_LENGTH) return { ok: false, error: "the client_id URL is too long" };
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return { ok: false, error: "the client_id is not a URL" };
  }
  const rawPath = clientId.replace(/^https:\/\/[^/]*/, "").split(/[?#]/, 1)[0] ?? "";
  const problems = [
    url.protocol !== "https:" && "it must use https",
    (url.pathname === "/" || url.pathname === "") && "it must have a path",
    rawPath.split("/").some((segment) => segment === "." || segment === "..") &&
      "it must not have dot segments",
    clientId.includes("#") && "it must not have a fragment",
    (url.username !== "" || url.password !== "") && "it must not carry user info",
    url.search !== "" && "it must not have a query",
  ].filter((problem) => problem !== false);
  if (problems.length > 0) return { ok: false, error: `invalid client_id URL: ${problems.join(", ")}` };
  return { ok: true, url };
}

export class ClientMetadataDocuments {
  private readonly cache = new Map<string, { client: DocumentClient; until: number }>();

  constructor(
    private readonly fetchDocument: MetadataFetch,
    private readonly now: () => number,
  ) {}

  async resolve(clientId: string): Promise<DocumentResult> {
    const cached = this.cache.get(clientId);
    if (cached !== undefined && cached.until > this.now()) return { ok: true, client: cached.client };
    const checked = checkClientIdUrl(clientId);
    if (!checked.ok) return checked;
    let fetched: FetchedDocument;
    try {
      fetched = await this.fetchDocument(checked.url, {
        maxBytes: MAX_DOCUMENT_BYTES,
        timeoutMs: FETCH_TIMEOUT_MS,
      });
    } catch (error) {
      const reason = error instanceof MetadataFetchError ? error.message : "it could not be fetched";
      return { ok: false, error: `the client metadata document was refused: ${reason}` };
    }
    const result = parseDocument(clientId, fetched);
    if (result.ok) {
      const lifetime = cacheLifetime(fetched.cacheControl);
      if (lifetime > 0) this.remember(clientId, result.client, lifetime);
    }
    return result;
  }

  private remember(clientId: string, client: DocumentClient, lifetime: number): void {
    this.cache.delete(clientId);
    if (this.cache.size >= MAX_CACHE_ENTRIES) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(clientId, { client, until: this.now() + lifetime });
  }
}

/** §4.1, and MCP: client_id equal to the URL, client_name, redirect_uris; public clients only. */
export function parseDocument(clientId: string, fetched: FetchedDocument): DocumentResult {
  const refuse = (reason: string): DocumentResult => ({
    ok: false,
    error: `the client metadata document was refused: ${reason}`,
  });
  if (fetched.status !== 200) return refuse(`HTTP status ${fetched.status}, expected 200`);
  const mediaType = fetched.contentType?.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  if (mediaType !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType))
    return refuse("it is not served as JSON");
  if (fetched.body.length > MAX_DOCUMENT_BYTES)
    return refuse(`it is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  let document: unknown;
  try {
    document = JSON.parse(fetched.body.toString("utf8"));
  } catch {
    return refuse("it is not valid JSON");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document))
    return refuse("it is not a JSON object");
  const fields = document as Record<string, unknown>; // checked just above: a non-null, non-array object
  if (fields.client_id !== clientId)
    return refuse("its client_id is not exactly the URL it was fetched from");
  if (typeof fields.client_name !== "string" || fields.client_name.trim() === "")
    return refuse("it has no client_name");
  if (!Array.isArray(fields.redirect_uris) || fields.redirect_uris.length === 0)
    return refuse("it has no redirect_uris");
  if (fields.redirect_uris.length > MAX_DOCUMENT_REDIRECT_URIS)
    return refuse(`it lists more than ${MAX_DOCUMENT_REDIRECT_URIS} redirect_uris`);
  for (const uri of fields.redirect_uris) {
    const check = checkRedirectUri(uri);
    if (!check.ok) return refuse(check.error);
  }
  // §4.1: no shared secrets in a public document; private_key_jwt is not supported here.
  if ("client_secret" in fields || "client_secret_expires_at" in fields)
    return refuse("it holds a client_secret");
  if (fields.token_endpoint_auth_method !== undefined && fields.token_endpoint_auth_method !== "none")
    return refuse('only token_endpoint_auth_method "none" is supported');
  if (Array.isArray(fields.grant_types) && !fields.grant_types.includes("authorization_code"))
    return refuse("its grant_types leave out authorization_code");
  return {
    ok: true,
    client: {
      clientId,
      clientName: fields.client_name.trim().slice(0, MAX_CLIENT_NAME_LENGTH),
      redirectUris: fields.redirect_uris as string[], // each one checked to be a string above
    },
  };
}

/** §4.4: respect Cache-Control within bounds of our own; `no-store` / `no-cache` mean "do not keep". */
function cacheLifetime(cacheControl: string | undefined): number {
  if (cacheControl === undefined) return DEFAULT_CACHE_MS;
  const directives = cacheControl.toLowerCase();
  if (/(^|,)\s*(no-store|no-cache|private)\b/.test(directives)) return 0;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d+)/.exec(directives)?.[1];
  if (maxAge === undefined) return DEFAULT_CACHE_MS;
  return Math.min(MAX_CACHE_MS, Math.max(MIN_CACHE_MS, Number(maxAge) * 1000));
}

/** A refusal whose message may be shown to the person on the consent page. */
export class MetadataFetchError extends Error {
  override name = "MetadataFetchError";
}

/** The production fetch: https to public addresses only, no redirects, size- and time-bounded. */
export const fetchPublicHttps: MetadataFetch = (url, limits) =>
  new Promise((resolve, reject) => {
    if (url.protocol !== "https:") {
      reject(new MetadataFetchError("it is not an https URL"));
      return;
    }
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    // An IP literal never goes through `lookup`, so it is checked here.
    if (isIP(literal) !== 0 && !isPublicAddress(literal)) {
      reject(new MetadataFetchError("its host is not a public address"));
      return;
    }
    const outgoing = request(
      url,
      {
        method: "GET",
        headers: { accept: "application/json", "user-agent": "memory-mcp-lambda" },
        lookup: publicOnlyLookup,
        signal: AbortSignal.timeout(limits.timeoutMs),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size > limits.maxBytes) response.destroy(); // enough read to know it is too large
        });
        const finish = (): void =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers["content-type"],
            cacheControl: response.headers["cache-control"],
            body: Buffer.concat(chunks).subarray(0, limits.maxBytes + 1),
          });
        response.on("end", finish);
        // Closed early: either we stopped reading a body that is too large (answered as such) or the
        // deadline or the peer cut it short. After "end", these calls change nothing.
        response.on("close", () =>
          size > limits.maxBytes ? finish() : reject(new MetadataFetchError("it could not be fetched")),
        );
        response.on("error", () => undefined);
      },
    );
    outgoing.on("error", (error) =>
      reject(error instanceof MetadataFetchError ? error : new MetadataFetchError("it could not be fetched")),
    );
    outgoing.end();
  });

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) {
      callback(error, []);
      return;
    }
    if (addresses.length === 0 || addresses.some((entry) => !isPublicAddress(entry.address))) {
      callback(new MetadataFetchError("its host resolves to a non-public address"), []);
      return;
    }
    if (options.all === true) callback(null, addresses);
    else {
      const [first] = addresses as [LookupAddress]; // non-empty: checked above
      callback(null, first.address, first.family);
    }
  });
}

/**
 * Whether an address is globally routable: private, loopback (where Lambda's runtime API listens),
 * link-local, shared, documentation, benchmarking, multicast and reserved ranges are not, nor are IPv6
 * addresses outside 2000::/3; IPv4 embedded in IPv6 (mapped, NAT64, 6to4) is judged as IPv4.
 */
export function isPublicAddress(address: string): boolean {
  const v4 = parseIpv4(address);
  if (v4 !== undefined) return isPublicIpv4(v4);
  const v6 = parseIpv6(address);
  if (v6 === undefined) return false;
  const [h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0, h7 = 0] = v6;
  const embedded = [h6 >> 8, h6 & 0xff, h7 >> 8, h7 & 0xff];
  const upperZero = h0 === 0 && h1 === 0 && h2 === 0 && h3 === 0 && h4 === 0;
  if (upperZero && h5 === 0xffff) return isPublicIpv4(embedded); // ::ffff:a.b.c.d
  if (h0 === 0x64 && h1 === 0xff9b && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0)
    return isPublicIpv4(embedded); // 64:ff9b::/96
  if (h0 === 0x2002) return isPublicIpv4([h1 >> 8, h1 & 0xff, h2 >> 8, h2 & 0xff]); // 6to4
  if ((h0 & 0xe000) !== 0x2000) return false; // only global unicast
  if (h0 === 0x2001 && (h1 === 0x0db8 || h1 < 0x0200)) return false; // documentation, Teredo and IETF ranges
  return true;
}

function parseIpv4(address: string): number[] | undefined {
  const parts = address.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255))
    return undefined;
  return parts.map(Number);
}

function isPublicIpv4([a = 0, b = 0, c = 0]: number[]): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false;
  if (a === 198 && (b === 18 || b === 19)) return false;
  if (a === 198 && b === 51 && c === 100) return false;
  if (a === 203 && b === 0 && c === 113) return false;
  return true;
}

/** Eight 16-bit groups, or undefined when not an IPv6 address (zone ids are refused). */
function parseIpv6(address: string): number[] | undefined {
  if (isIP(address) !== 6 || address.includes("%")) return undefined;
  let text = address.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail !== undefined) {
    const v4 = parseIpv4(tail);
    if (v4 === undefined) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    text = `${text.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(rest === undefined ? 0 : missing).fill("0"), ...right];
  const values = groups.map((group) => Number.parseInt(group, 16));
  return values.length === 8 && values.every((value) => value >= 0 && value <= 0xffff) ? values : undefined;
}
