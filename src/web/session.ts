// The memory page's session: a cookie sealed with the "memory-page" signing key (src/oauth/signing-keys.ts)
// that names the digest of the API key that opened it, so retiring that key ends the session; and the form
// tokens (CSRF) bound to one session, or to the sign-in cookie before there is a session.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { SigningKeyRing } from "../oauth/signing-keys.ts";

/** The longest a session lasts, whatever the browser does with the cookie. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60_000;
/** How long the sign-in form may stay open. */
const SIGN_IN_LIFETIME_S = 60 * 60;
const MAX_COOKIE_LENGTH = 1024;

export interface Session {
  /** SHA-256 (hex) of the API key that signed in: each request checks it is still configured. */
  digest: string;
  expiresAt: number;
  /** The form token every POST of this session carries. */
  csrf: string;
}

interface SessionPayload {
  d: string;
  /** Random: binds the form tokens to this one session. */
  s: string;
  e: number;
}

/**
 * The cookies' names and attributes. Off loopback they are Secure with the __Host- prefix, which a browser
 * accepts only from a secure origin, for Path=/ and without Domain, so no sibling host can plant one.
 */
export class SessionCookies {
  readonly session: string;
  readonly signIn: string;
  private readonly attributes: string;

  constructor(secure: boolean) {
    this.session = secure ? "__Host-memories-session" : "memories-session";
    this.signIn = secure ? "__Host-memories-sign-in" : "memories-sign-in";
    this.attributes = `Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  }

  set(name: string, value: string, maxAgeSeconds: number): string {
    return `${name}=${value}; Max-Age=${maxAgeSeconds}; ${this.attributes}`;
  }

  clear(name: string): string {
    return `${name}=; Max-Age=0; ${this.attributes}`;
  }
}

export class SessionSealer {
  constructor(
    private readonly keys: SigningKeyRing,
    private readonly now: () => number,
  ) {}

  /** A new session for the key with this digest: the cookie value and its Max-Age. */
  async open(digest: string): Promise<{ value: string; maxAgeSeconds: number }> {
    const key = await this.keys.signing();
    const payload: SessionPayload = {
      d: digest,
      s: randomBytes(16).toString("base64url"),
      e: this.now() + SESSION_LIFETIME_MS,
    };
    const body = `${key.kid}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
    return {
      value: `${body}.${mac(key.keys["memory-page"], `session\0${body}`)}`,
      maxAgeSeconds: SESSION_LIFETIME_MS / 1000,
    };
  }

  /** The session a cookie value carries, if it is ours, unaltered, unexpired and its key still configured. */
  async read(value: string, configured: ReadonlySet<string>): Promise<Session | undefined> {
    const [kid = "", encoded = "", signature = "", ...rest] = value.split(".");
    if (rest.length > 0 || value.length > MAX_COOKIE_LENGTH) return undefined;
    const key = await this.keys.verifying(kid);
    if (key === undefined) return undefined;
    const secret = key.keys["memory-page"];
    if (!macMatches(secret, `session\0${kid}.${encoded}`, signature)) return undefined;
    let payload: SessionPayload;
    try {
      payload = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as SessionPayload; // signed by us
    } catch {
      return undefined;
    }
    if (typeof payload.e !== "number" || payload.e <= this.now()) return undefined;
    if (typeof payload.d !== "string" || !configured.has(payload.d)) return undefined;
    return { digest: payload.d, expiresAt: payload.e, csrf: `${kid}.${mac(secret, `csrf\0${payload.s}`)}` };
  }

  /** A fresh sign-in cookie (a random nonce) and the form token that must come back with it. */
  async signInForm(): Promise<{ cookie: string; token: string; maxAgeSeconds: number }> {
    const nonce = randomBytes(16).toString("base64url");
    const key = await this.keys.signing();
    return {
      cookie: nonce,
      token: `${key.kid}.${mac(key.keys["memory-page"], `sign-in\0${nonce}`)}`,
      maxAgeSeconds: SIGN_IN_LIFETIME_S,
    };
  }

  /** Whether the sign-in form's token belongs to the sign-in cookie the browser sent along. */
  async signInTokenMatches(nonce: string, token: string): Promise<boolean> {
    const [kid = "", signature = "", ...rest] = token.split(".");
    if (rest.length > 0 || nonce === "" || nonce.length > 64) return false;
    const key = await this.keys.verifying(kid);
    return key !== undefined && macMatches(key.keys["memory-page"], `sign-in\0${nonce}`, signature);
  }
}

/** Compares a form's token with the session's in constant time. */
export function csrfMatches(session: Session, presented: string): boolean {
  const expected = Buffer.from(session.csrf);
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The value of one cookie of a Cookie header (the first, if the browser sent the name twice). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

function mac(secret: Buffer, text: string): string {
  return createHmac("sha256", secret).update(text).digest("base64url");
}

function macMatches(secret: Buffer, text: string, signature: string): boolean {
  const expected = createHmac("sha256", secret).update(text).digest();
  const presented = Buffer.from(signature, "base64url");
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
