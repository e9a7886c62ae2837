// The child processes of bench/search-scale.ts: each kind of call runs in a fresh process on a design's Lambda
// bundle (bench/cold-session.mjs, with Lambda's 128 MB node flags and environment), every answer is checked, and
// the process CPU of each call is read: the first after INIT (cold), then the median of the rest (warm).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runChild } from "./cold.ts";
import { type Backend, lambdaEnv, lambdaNodeFlags } from "./lambda-env.ts";
import type { Cpu } from "./search-scale-report.ts";
import { messageOf, rpcEvent } from "./session.ts";
import { stats } from "./stats.ts";
import { ROOT } from "./subjects.ts";

/** Runs `calls` in a fresh process on `bundle` against `tableName`, hands each answer to `check`. */
export type ChildCpu = (
  bundle: string,
  tableName: string,
  calls: { name: string; arguments: Record<string, unknown> }[],
  check: (structured: Record<string, unknown>, index: number) => void,
) => Promise<Cpu>;

/**
 * CPU of each call of a fresh process of `node`: the first after INIT, then the median of the rest. The
 * session and result files go in `work`; DynamoDB is `backend`.
 */
export function childCpuOn(work: string, backend: Backend, node = process.execPath): ChildCpu {
  return async function childCpu(
    bundle: string,
    tableName: string,
    calls: { name: string; arguments: Record<string, unknown> }[],
    check: (structured: Record<string, unknown>, index: number) => void,
  ): Promise<Cpu> {
    const requests = calls.map((params, index) => ({
      label: `${params.name} ${index + 1}`,
      event: rpcEvent(index + 1, "tools/call", params),
    }));
    const [sessionFile, resultFile] = [join(work, "session.json"), join(work, "result.json")];
    writeFileSync(sessionFile, JSON.stringify({ requests }));
    await runChild(
      node,
      [...lambdaNodeFlags(), join(ROOT, "bench", "cold-session.mjs"), bundle, sessionFile, resultFile],
      // A long tool deadline: on a loaded machine today's design at 10,000 memories can need more than 8 s.
      { ...lambdaEnv({ tableName, backend, home: join(work, "home") }), TOOL_DEADLINE_MS: "120000" },
      `${calls[0]?.name} on ${tableName}`,
    );
    const result = JSON.parse(readFileSync(resultFile, "utf8")) as {
      requests: { cpuMs: number; response: { body?: string } }[];
    }; // written by cold-session.mjs
    result.requests.forEach((request, index) => {
      const message = messageOf(request.response.body ?? "") as {
        result?: { structuredContent?: Record<string, unknown>; isError?: boolean };
      };
      if (message.result?.isError === true || message.result?.structuredContent === undefined)
        throw new Error(`a call failed: ${request.response.body?.slice(0, 300)}`);
      check(message.result.structuredContent, index);
    });
    const [first, ...later] = result.requests.map((request) => request.cpuMs);
    return { cold: first ?? Number.NaN, warm: stats(later).median };
  };
}
