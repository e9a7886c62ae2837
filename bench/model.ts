// The latency model of a 128 MB Lambda: INIT runs at full speed, an invoke gets memory/1769 of a vCPU.

/** At 1,769 MB a function has the equivalent of one vCPU (AWS Lambda developer guide, configuration-memory). */
export const ONE_VCPU_MB = 1769;

/** How much slower an invoke's CPU work runs than on a full vCPU: 1769 / 128 = 13.8 at 128 MB. */
export function invokeSlowdown(memoryMb: number): number {
  return ONE_VCPU_MB / memoryMb;
}

/** Modelled cold latency: INIT CPU once, unthrottled, plus the invokes' CPU stretched by the share. */
export function modelledColdMs(initCpuMs: number, invokeCpuMs: number, memoryMb: number): number {
  return initCpuMs + invokeCpuMs * invokeSlowdown(memoryMb);
}
