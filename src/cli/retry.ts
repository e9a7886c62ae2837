// Retries a store call that DynamoDB throttled or could not answer, with exponential backoff: a bulk
// import or wipe outlasts a busy table instead of dropping a memory. Only those two failures are retried;
// every call retried here is safe to repeat (a restore or create that did land is found on the next try).
import { setTimeout as sleep } from "node:timers/promises";
import { StoreError } from "../memory/memory-store.ts";

export interface RetryPolicy {
  /** Tries of one call, the first included. */
  attempts: number;
  baseMs: number;
  capMs: number;
  /** Waits; tests pass one that records the wait and returns at once. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  /** Told before each wait, e.g. to show it above the progress bar. */
  onRetry?(error: StoreError, waitMs: number, attempt: number): void;
}

/**
 * About two minutes of waiting in all before giving up, on top of the SDK's own three attempts per call:
 * long enough for on-demand capacity to catch up, short enough that a dead network is reported.
 */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  baseMs: 500,
  capMs: 30_000,
  wait: async (ms, signal) => {
    await sleep(ms, undefined, signal === undefined ? undefined : { signal });
  },
};

const RETRIED: ReadonlySet<StoreError["kind"]> = new Set(["throttled", "unavailable"]);

export async function withRetry<Result>(
  call: () => Promise<Result>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<Result> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof StoreError && RETRIED.has(error.kind)) || attempt >= policy.attempts)
        throw error;
      // Full jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
      const waitMs = Math.round(Math.random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));
      policy.onRetry?.(error, waitMs, attempt);
      await policy.wait(waitMs, signal);
    }
  }
}
