// Guessing the API key on the pages that ask for it (the OAuth consent page, the memory page's sign-in):
// every attempt first claims a slot in one per-deployment counter item (a conditional write, so parallel
// guesses cannot all slip through), and from the fifth attempt without a right key on, both pages stay locked
// for 1 min, then 2, 4 ... up to 1 h, for right and wrong keys alike. A right key clears the counter; it
// forgets itself 24 h after the last attempt. Each wrong key is also answered only after a fixed delay.
//
// The lock is per deployment, not per address or page: a stranger can keep the sign-in pages locked (at most
// an hour at a time), but never the API key paths of /mcp, nor clients already connected.
//
// Loaded only with the pages, never at INIT. It imports nothing the Lambda bundle loads at INIT (the key
// comparison comes in as `matchKey`), so that esbuild need not split that code into more chunks: see
// src/web/memory-page.ts.
import { setTimeout as sleep } from "node:timers/promises";

export const FREE_ATTEMPTS = 5;
export const FIRST_LOCKOUT_MS = 60_000;
export const MAX_LOCKOUT_MS = 60 * 60_000;
/** Every wrong API key is answered only after this, so guessing by hand or by script stays slow. */
export const WRONG_KEY_DELAY_MS = 1_000;
const GUARD_MEMORY_MS = 24 * 60 * 60_000;
/** When another attempt holds the counter at this very moment. */
const BUSY_RETRY_MS = 1_000;

export interface KeyGuardRecord {
  /** Attempts since the last right key, this one included once claimed. */
  attempts: number;
  /** No attempt is looked at before this (epoch ms). */
  lockedUntil: number;
  expiresAt: number;
}

/** Where the counter lives: one item of the OAuth store (src/oauth/store.ts), shared by both pages. */
export interface KeyGuardStore {
  getConsentGuard(): Promise<KeyGuardRecord | undefined>;
  /** Writes `next` only if the guard is still `previous` (undefined: absent); false if it changed. */
  replaceConsentGuard(previous: KeyGuardRecord | undefined, next: KeyGuardRecord): Promise<boolean>;
  clearConsentGuard(): Promise<void>;
}

export type Claim = { ok: true } | { ok: false; retryAfterMs: number };

export class KeyGuard {
  constructor(
    private readonly store: KeyGuardStore,
    private readonly now: () => number,
  ) {}

  /** Counts this attempt before the key is even looked at; refuses it while locked. */
  async claim(): Promise<Claim> {
    const now = this.now();
    const stored = await this.store.getConsentGuard();
    const live = stored !== undefined && stored.expiresAt > now ? stored : undefined;
    if (live !== undefined && live.lockedUntil > now)
      return { ok: false, retryAfterMs: live.lockedUntil - now };
    const attempts = (live?.attempts ?? 0) + 1;
    const next: KeyGuardRecord = {
      attempts,
      lockedUntil: now + lockoutAfter(attempts),
      expiresAt: now + GUARD_MEMORY_MS,
    };
    if (!(await this.store.replaceConsentGuard(stored, next)))
      return { ok: false, retryAfterMs: BUSY_RETRY_MS };
    return { ok: true };
  }

  async succeeded(): Promise<void> {
    await this.store.clearConsentGuard();
  }
}

export type KeyCheck =
  /** The key is right: `digest` (lowercase hex) names which configured key it is. */
  | { ok: true; digest: string }
  | { ok: false; reason: "locked"; retryAfterMs: number }
  | { ok: false; reason: "wrong" };

export interface KeyCheckContext {
  guard: KeyGuard;
  /** Which configured key this is: src/protocol/auth.ts matchingDigest (constant time) over the digests. */
  matchKey(key: string): string | undefined;
  wrongKeyDelayMs: number;
}

/**
 * The one sequence both pages run on a presented key: claim an attempt, compare the key, and either clear
 * the counter or answer only after the wrong-key delay.
 */
export async function checkOwnerKey(key: string, context: KeyCheckContext): Promise<KeyCheck> {
  const claim = await context.guard.claim();
  if (!claim.ok) return { ok: false, reason: "locked", retryAfterMs: claim.retryAfterMs };
  const digest = context.matchKey(key);
  if (digest === undefined) {
    await sleep(context.wrongKeyDelayMs);
    return { ok: false, reason: "wrong" };
  }
  await context.guard.succeeded();
  return { ok: true, digest };
}

/** "Try again in 3 minutes.": the lockout, in words a person reads. */
export function lockoutMessage(retryAfterMs: number): string {
  const minutes = Math.ceil(retryAfterMs / 60_000);
  return `Too many attempts with a wrong key. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/** The lock that follows attempt number `attempts` if it turns out wrong (a right key clears it). */
function lockoutAfter(attempts: number): number {
  if (attempts < FREE_ATTEMPTS) return 0;
  return Math.min(MAX_LOCKOUT_MS, FIRST_LOCKOUT_MS * 2 ** (attempts - FREE_ATTEMPTS));
}
