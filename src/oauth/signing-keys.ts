// The HMAC keys that sign access tokens, consent tickets and the memory page's sessions. They live in the table
// (pk = OAUTH#KEY), never in Terraform, its state or the environment: the function creates the first key on
// first need, caches the set, and re-reads it every few minutes so that a rotation reaches every warm container.
//
// Rotation (rotateSigningKey, scripts/rotate-signing-key.ts): add a new key, which becomes the signing key,
// and retire the others: they keep verifying for RETIRED_KEY_GRACE_MS, longer than anything they signed
// lives, then their items expire. Nothing is ever re-encrypted and no token is cut short.
import { createHmac, randomBytes } from "node:crypto";
import type { OAuthStore, SigningKeyRecord } from "./store.ts";

/** How long a container trusts its cached key set; the one database read token checks ever make. */
export const KEY_RELOAD_MS = 10 * 60_000;
/** A retired key verifies this long: the longest-lived thing it signs (1 h access token) plus a reload. */
export const RETIRED_KEY_GRACE_MS = 2 * 60 * 60_000;
/** A token naming an unknown kid triggers a re-read at most this often, so forged kids cost nothing. */
const UNKNOWN_KID_RELOAD_MS = 30_000;

/** "memory-page" signs the memory page's session cookies and form tokens (src/web/session.ts). */
export type KeyPurpose = "access-token" | "consent-ticket" | "memory-page";

export interface SigningKey {
  kid: string;
  createdAt: number;
  retiresAt?: number;
  /** One key per purpose, derived from the stored secret, so a ticket can never pass as a token. */
  keys: Readonly<Record<KeyPurpose, Buffer>>;
}

export class SigningKeyRing {
  private keys: SigningKey[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly store: OAuthStore,
    private readonly now: () => number,
  ) {}

  /** The key new tokens are signed with: the newest one not retired, created if there is none. */
  async signing(): Promise<SigningKey> {
    await this.reloadIfStale();
    const current = this.newestActive();
    if (current !== undefined) return current;
    await this.store.putSigningKey(newKeyRecord(this.now()));
    // Reading back rather than using our own: two containers racing here agree on the newest.
    await this.reload();
    const created = this.newestActive();
    if (created === undefined) throw new Error("no signing key even after creating one");
    return created;
  }

  /** The key named by a token, if it still verifies. */
  async verifying(kid: string): Promise<SigningKey | undefined> {
    await this.reloadIfStale();
    const known = this.usable(kid);
    if (known !== undefined || this.now() - this.loadedAt < UNKNOWN_KID_RELOAD_MS) return known;
    await this.reload();
    return this.usable(kid);
  }

  private newestActive(): SigningKey | undefined {
    return this.keys
      .filter((key) => key.retiresAt === undefined)
      .sort((a, b) => b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1))[0];
  }

  private usable(kid: string): SigningKey | undefined {
    const key = this.keys.find((candidate) => candidate.kid === kid);
    if (key?.retiresAt !== undefined && key.retiresAt <= this.now()) return undefined;
    return key;
  }

  private async reloadIfStale(): Promise<void> {
    if (this.now() - this.loadedAt >= KEY_RELOAD_MS) await this.reload();
  }

  private reload(): Promise<void> {
    // Concurrent requests of one container share a single read.
    this.loading ??= (async () => {
      try {
        const records = await this.store.listSigningKeys();
        this.keys = records.map(deriveKey);
        this.loadedAt = this.now();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}

export interface RotationResult {
  kid: string;
  retired: string[];
}

/**
 * Adds a new signing key and retires every other active one. Normally the old keys keep verifying for
 * RETIRED_KEY_GRACE_MS; `immediately` (a leaked key) stops them at once, which signs everyone out within
 * KEY_RELOAD_MS (the longest a warm container keeps its cached set).
 */
export async function rotateSigningKey(
  store: OAuthStore,
  now: number,
  options: { immediately?: boolean } = {},
): Promise<RotationResult> {
  const existing = await store.listSigningKeys();
  const record = newKeyRecord(now);
  if (!(await store.putSigningKey(record))) throw new Error("signing key id collision; run it again");
  const retiresAt = options.immediately === true ? now : now + RETIRED_KEY_GRACE_MS;
  const retired: string[] = [];
  for (const key of existing) {
    if (key.retiresAt !== undefined && key.retiresAt <= retiresAt) continue;
    await store.retireSigningKey(key.kid, retiresAt);
    retired.push(key.kid);
  }
  return { kid: record.kid, retired };
}

function newKeyRecord(now: number): SigningKeyRecord {
  return { kid: randomBytes(9).toString("base64url"), secret: randomBytes(32), createdAt: now };
}

function deriveKey(record: SigningKeyRecord): SigningKey {
  const derive = (purpose: KeyPurpose): Buffer =>
    createHmac("sha256", record.secret).update(`memory-mcp-lambda oauth ${purpose} v1`).digest();
  return {
    kid: record.kid,
    createdAt: record.createdAt,
    ...(record.retiresAt === undefined ? {} : { retiresAt: record.retiresAt }),
    keys: {
      "access-token": derive("access-token"),
      "consent-ticket": derive("consent-ticket"),
      "memory-page": derive("memory-page"),
    },
  };
}
