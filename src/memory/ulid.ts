// Memory ids: ULIDs (https://github.com/ulid/spec), 48-bit millisecond time + 80 random bits in Crockford
// base32, so the sort key orders memories by creation time.
import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_CHARACTERS = 10;
const RANDOM_BYTES = 10;
const MAX_TIME = 2 ** 48 - 1;
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
  let lastRandom = new Uint8Array(RANDOM_BYTES);
  return (timeMs: number): string => {
    if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > MAX_TIME) {
      throw new RangeError(`ULID time must be an integer between 0 and 2^48 - 1, got ${timeMs}`);
    }
    if (timeMs > lastTime) {
      lastTime = timeMs;
      lastRandom = Uint8Array.from(random(RANDOM_BYTES));
    } else if (!increment(lastRandom)) {
      // 2^80 ids in one millisecond cannot happen; failing beats an id that sorts out of order.
      throw new RangeError("ULID random part overflowed within one millisecond");
    }
    return encodeTime(lastTime) + encodeRandom(lastRandom);
  };
}

export function isUlid(value: string): boolean {
  return ULID_PATTERN.test(value);
}

/** Adds one to a big-endian number in place; false (and the bytes unchanged) when it is all ones. */
function increment(bytes: Uint8Array): boolean {
  const carryFrom = bytes.findLastIndex((byte) => byte !== 0xff);
  if (carryFrom < 0) return false;
  bytes[carryFrom] = (bytes[carryFrom] ?? 0) + 1;
  bytes.fill(0, carryFrom + 1);
  return true;
}

/** 48 bits of time as 10 characters of 5 bits (the first holds the top 3). */
function encodeTime(time: number): string {
  let text = "";
  let rest = time;
  for (let i = 0; i < TIME_CHARACTERS; i++) {
    text = CROCKFORD.charAt(rest % 32) + text;
    rest = Math.floor(rest / 32);
  }
  return text;
}

/** 80 bits as 16 characters of 5 bits, most significant first. */
function encodeRandom(bytes: Uint8Array): string {
  let text = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff; // at most 4 bits are left over, plus the new 8
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += CROCKFORD.charAt((buffer >> bits) & 31);
    }
  }
  return text;
}
