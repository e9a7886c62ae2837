// Which redirect URIs a client may register (registration and client metadata documents alike), and how
// one in a request is matched. MCP authorization "Communication Security": every redirect URI is https or
// loopback; "Open Redirection": exact match against the registered values.

export const MAX_REDIRECT_URI_LENGTH = 512;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

export type RedirectUriCheck = { ok: true } | { ok: false; error: string };

export function checkRedirectUri(value: unknown): RedirectUriCheck {
  if (typeof value !== "string" || value === "")
    return { ok: false, error: "a redirect URI must be a string" };
  if (value.length > MAX_REDIRECT_URI_LENGTH)
    return { ok: false, error: `a redirect URI may be at most ${MAX_REDIRECT_URI_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, error: `not an absolute URI: ${value}` };
  }
  // RFC 6749 §3.1.2: no fragment. Userinfo would only serve to disguise the real host on the consent page.
  if (value.includes("#")) return { ok: false, error: `a redirect URI must not have a fragment: ${value}` };
  if (url.username !== "" || url.password !== "")
    return { ok: false, error: `a redirect URI must not carry a user name or password: ${value}` };
  if (url.protocol === "https:") return { ok: true };
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return { ok: true };
  return { ok: false, error: `a redirect URI must use https, or http on a loopback address: ${value}` };
}

/**
 * Exact string comparison (OAuth 2.1 §4.1.1, RFC 9700 §4.1.3). Loopback redirect URIs are matched exactly
 * too, port included: every client we serve registers the port it listens on.
 */
export function redirectUriRegistered(requested: string, registered: readonly string[]): boolean {
  return registered.includes(requested);
}
