// What a DynamoDB failure means to the store: throttling and outages become StoreErrors the model can act
// on, lost optimistic races are retried with backoff, everything else surfaces untouched.
import { setTimeout as sleep } from "node:timers/promises";
import { TransactionCanceledException, TransactionConflictException } from "@aws-sdk/client-dynamodb";
import { StoreError } from "../memory/memory-store.ts";

/**
 * Attempts of one write that keeps losing an optimistic race (condition failed, transaction conflict).
 * Lost races fail within milliseconds; 16 tries with the capped full-jitter backoff below take under 4 s,
 * and 20 writers on one memory all land.
 */
export const MAX_WRITE_ATTEMPTS = 16;
const BACKOFF_BASE_MS = 10;
const BACKOFF_CAP_MS = 150;

export const CONDITION_FAILED = "ConditionalCheckFailed";
const TRANSACTION_CONFLICT = "TransactionConflict";

const THROTTLING_ERRORS = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  // The SDK's retry of a transaction found its first attempt still running: also "try again shortly".
  "TransactionInProgressException",
]);
const THROTTLING_REASONS = new Set([
  "ThrottlingError",
  "ProvisionedThroughputExceeded",
  "RequestLimitExceeded",
]);
// AbortError: the tool call's deadline (MemoryStore.withDeadline) stopped a command or a backoff.
const TIMEOUT_ERRORS = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "AbortError"]);
const NETWORK_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

interface ServiceErrorFields {
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  code?: unknown;
}

/**
 * Turns a failure of DynamoDB itself into the StoreError the model can act on: throttled or unavailable
 * (after the SDK's own retries). Returns undefined for everything else (condition failures, which the
 * caller interprets, and programming or validation errors, which must surface untouched).
 */
export function toServiceStoreError(error: unknown): StoreError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (
    THROTTLING_ERRORS.has(error.name) ||
    cancellationCodes(error)?.some((code) => THROTTLING_REASONS.has(code))
  ) {
    return new StoreError(
      "throttled",
      "The memory database is throttling requests right now; retry in a few seconds.",
    );
  }
  const { $metadata, $retryable, code } = error as ServiceErrorFields; // fields the SDK and Node add to errors
  const serverFault = ($metadata?.httpStatusCode ?? 0) >= 500;
  const networkFault =
    (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) || TIMEOUT_ERRORS.has(error.name);
  if (serverFault || networkFault || $retryable !== undefined) {
    return new StoreError(
      "unavailable",
      "The memory database could not be reached or failed; retry in a few seconds.",
    );
  }
  return undefined;
}

/** Awaits a command, turning throttling and outages into StoreErrors; everything else is rethrown as is. */
export async function mapped<Output>(pending: Promise<Output>): Promise<Output> {
  try {
    return await pending;
  } catch (error) {
    throw toServiceStoreError(error) ?? error;
  }
}

export function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? "None");
}

export function isTransactionConflict(error: unknown): boolean {
  return (
    error instanceof TransactionConflictException ||
    cancellationCodes(error)?.includes(TRANSACTION_CONFLICT) === true
  );
}

/** Full jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): racers spread out. */
export async function backoff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
  const wait = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  try {
    await sleep(wait, undefined, signal === undefined ? {} : { signal });
  } catch (error) {
    throw toServiceStoreError(error) ?? error; // the deadline passed while waiting: "unavailable"
  }
}

export function notFound(id: string): StoreError {
  return new StoreError("not_found", `No memory has id ${id}.`);
}

export function tooManyConflicts(subject: string): StoreError {
  return new StoreError(
    "version_conflict",
    `${subject} kept changing while we wrote it (concurrent updates); get it again and retry.`,
  );
}
