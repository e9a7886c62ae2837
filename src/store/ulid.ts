// Memory ids: ULIDs (https://github.com/ulid/spec), 48-bit millisecond time + 80 random bits in Crockford
// base32, so the sort key orders memories by creation time.
import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ULID_LENGTH = 26;
const MAX_TIME = 2 ** 48 - 1;
const RANDOM_BITS = 80n;
const MAX_RANDOM = (1n << RANDOM_BITS) - 1n;
// 26 characters carry 130 bits and a ULID has 128, so the first character is at most 7.
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Makes ULIDs for the given millisecond times. */
export type UlidGenerator = (timeMs: number) => string;

/**
 * Returns a monotonic generator: two ids made in the same millisecond (or while the clock steps back)
 * reuse the previous time and increment the random part, so ids from one process always sort in the
 * order they were made, which is what "newest first" shows the model.
 */
export function createUlidGenerator(random: (size: number) => Uint8Array = randomBytes): UlidGenerator {
  let lastTime = -1;
  let lastRandom = 0n;
  return (timeMs: number): string => {
    if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > MAX_TIME) {
      throw new RangeError(`ULID time must be an integer between 0 and 2^48 - 1, got ${timeMs}`);
    }
    if (timeMs > lastTime) {
      lastTime = timeMs;
      lastRandom = toBigInt(random(10));
    } else if (lastRandom === MAX_RANDOM) {
      // 2^80 ids in one millisecond cannot happen; failing beats an id that sorts out of order.
      throw new RangeError("ULID random part overflowed within one millisecond");
    } else {
      lastRandom += 1n;
    }
    return encode((BigInt(lastTime) << RANDOM_BITS) | lastRandom);
  };
}

export function isUlid(value: string): boolean {
  return ULID_PATTERN.test(value);
}

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function encode(value: bigint): string {
  let text = "";
  let rest = value;
  for (let i = 0; i < ULID_LENGTH; i++) {
    text = CROCKFORD.charAt(Number(rest & 31n)) + text;
    rest >>= 5n;
  }
  return text;
}
