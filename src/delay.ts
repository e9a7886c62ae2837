// A promise that resolves after `ms`, or rejects with the signal's reason once it aborts. Global timers rather
// than node:timers/promises: importing that module would load it at INIT (docs/benchmarks/README.md, fourth
// pass), and this is all of it we need.

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
