// The machine a benchmark ran on, recorded with its figures.
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, release, totalmem, type } from "node:os";

export interface Machine {
  cpu: string;
  /** process.arch: x64, arm64 ... */
  arch?: string;
  cores: number;
  /** "Firecracker microVM" when the kernel command line says so (as for Lambda itself), else undefined. */
  virtualisation?: string;
  memoryGiB: number;
  os: string;
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((candidate) => candidate.startsWith("model name"));
    if (line !== undefined) cpu = line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  let virtualisation: string | undefined;
  try {
    if (/firecracker/i.test(readFileSync("/proc/cmdline", "utf8"))) virtualisation = "Firecracker microVM";
  } catch {
    // no /proc/cmdline: leave it out
  }
  return {
    cpu,
    arch: process.arch,
    cores: availableParallelism(),
    ...(virtualisation === undefined ? {} : { virtualisation }),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
  };
}
