// Guessing the API key on the consent page: every attempt first claims a slot in one per-deployment
// counter item (a conditional write, so parallel guesses cannot all slip through), and from the fifth
// attempt without a right key on, the page stays locked for 1 min, then 2, 4 ... up to 1 h, for right and
// wrong keys alike. A right key clears the counter; it forgets itself 24 h after the last attempt. Each
// wrong key is also answered only after a fixed delay (see WRONG_KEY_DELAY_MS in ./authorize.ts).
//
// The lock is per deployment, not per address: a stranger can keep the consent page locked (at most an
// hour at a time), but never the API key paths, nor clients already connected.
import type { ConsentGuardRecord, OAuthStore } from "./store.ts";

export const FREE_ATTEMPTS = 5;
export const FIRST_LOCKOUT_MS = 60_000;
export const MAX_LOCKOUT_MS = 60 * 60_000;
const GUARD_MEMORY_MS = 24 * 60 * 60_000;
/** When another attempt holds the counter at this very moment. */
const BUSY_RETRY_MS = 1_000;

export type Claim = { ok: true } | { ok: false; retryAfterMs: number };

export class ConsentGuard {
  constructor(
    private readonly store: OAuthStore,
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
    const next: ConsentGuardRecord = {
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

/** The lock that follows attempt number `attempts` if it turns out wrong (a right key clears it). */
function lockoutAfter(attempts: number): number {
  if (attempts < FREE_ATTEMPTS) return 0;
  return Math.min(MAX_LOCKOUT_MS, FIRST_LOCKOUT_MS * 2 ** (attempts - FREE_ATTEMPTS));
}
