// The end of the Lambda's INIT: an empty young generation for the first requests (docs/benchmarks/README.md,
// fifth pass). Its own module, so that the INIT-optimised floor of the benchmark can end its INIT the same way.

/**
 * Empties V8's young generation: the last thing INIT does, after the warm-up (src/coldstart/warm-up.ts) and the INIT
 * log line. The warm-up leaves the young generation nearly full, so its next collection (a scavenge of 1 to
 * 3 ms) fell into one of the first requests, which run at 128/1769 of a vCPU. Only a minor collection: a full
 * one (tried, see docs/benchmarks/) throws away the compiled code and type feedback the warm-up built. `gc`
 * exists where node runs with --expose-gc, as Lambda's Node.js bootstrap starts it; elsewhere this does nothing.
 */
export function collectYoungGarbage(): void {
  globalThis.gc?.({ type: "minor" });
}
