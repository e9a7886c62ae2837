// Type feedback for the INIT warm-up: V8 gives a function its feedback vector (the inline caches that make
// property access and calls fast) only after about eight calls, so code that the warm-up ran once would run its
// first real requests without any, at 128/1769 of a vCPU. During the warm-up, every function V8 compiles gets
// its vector at once; afterwards V8's default comes back (docs/benchmarks/README.md, fifth pass).
import { setFlagsFromString } from "node:v8";

/**
 * Runs `work` with V8's lazy feedback allocation off and turns it back on when `work` settles, whether it
 * resolves or rejects. `lazy_feedback_allocation` is read each time a function is first compiled, so flipping it
 * only changes which functions get their vector early; Node leaves V8's flags writable after start-up.
 */
export async function withEagerFeedback<T>(work: () => Promise<T>): Promise<T> {
  setFlagsFromString("--no-lazy-feedback-allocation");
  try {
    return await work();
  } finally {
    setFlagsFromString("--lazy-feedback-allocation");
  }
}
