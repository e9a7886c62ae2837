// Origin allow-list for the Streamable HTTP DNS-rebinding rule: patterns such as
// `https://claude.ai`, `https://*.claude.ai` (any subdomain) and `http://localhost:*` (any port).

/** Claude's own web clients; server-to-server callers send no Origin at all and are not refused for it. */
export const DEFAULT_LAMBDA_ORIGINS = [
  "https://claude.ai",
  "https://*.claude.ai",
  "https://claude.com",
  "https://*.claude.com",
] as const;

/** The local server accepts only pages served from this machine. */
export const LOOPBACK_ORIGINS = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"] as const;

interface OriginPattern {
  scheme: string;
  /** Exact host, or a suffix such as `.claude.ai` when the pattern starts with `*.`. */
  host: string;
  anySubdomain: boolean;
  /** Exact port as written in a serialised origin ("" for the scheme's default), or "*" for any. */
  port: string;
}

export type OriginsResult = { ok: true; allow: OriginAllowList } | { ok: false; error: string };

const PATTERN = /^(https?):\/\/(\*\.)?(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\*|\d{1,5}))?$/;

export class OriginAllowList {
  private constructor(private readonly patterns: readonly OriginPattern[]) {}

  /** Parses comma-separated patterns; an unparseable one is a configuration error, not a silent gap. */
  static parse(list: readonly string[] | string): OriginsResult {
    const entries = (typeof list === "string" ? list.split(",") : list)
      .map((entry) => entry.trim().toLowerCase().replace(/\/$/, ""))
      .filter((entry) => entry !== "");
    const patterns: OriginPattern[] = [];
    for (const entry of entries) {
      const match = PATTERN.exec(entry);
      if (!match) return { ok: false, error: `not an origin pattern: ${JSON.stringify(entry)}` };
      const [, scheme = "", wildcard, host = "", port = ""] = match;
      patterns.push({
        scheme,
        host: wildcard ? `.${host}` : host,
        anySubdomain: wildcard !== undefined,
        port: port === defaultPort(scheme) ? "" : port,
      });
    }
    return { ok: true, allow: new OriginAllowList(patterns) };
  }

  allows(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // "null" (sandboxed frames, file://) and garbage are never allowed
    }
    // An Origin header is exactly scheme://host[:port]; anything more is not a browser's origin.
    if (url.origin !== origin.toLowerCase().replace(/\/$/, "")) return false;
    const scheme = url.protocol.slice(0, -1);
    return this.patterns.some(
      (p) =>
        p.scheme === scheme &&
        (p.anySubdomain ? url.hostname.endsWith(p.host) : url.hostname === p.host) &&
        (p.port === "*" || p.port === url.port),
    );
  }
}

function defaultPort(scheme: string): string {
  return scheme === "https" ? "443" : "80";
}
