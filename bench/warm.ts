// Runs the warm figures of one subject in one long-lived child process (bench/warm-session.mjs).
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTable } from "../src/dynamodb/memory-store.ts";
import { runChild } from "./cold.ts";
import { type Backend, lambdaEnv, lambdaNodeFlags } from "./lambda-env.ts";
import { createEvent, initializeEvent, rpcEvent, searchEvent } from "./session.ts";
import { type BuiltSubject, ROOT } from "./subjects.ts";

export interface MemoryReading {
  rssMiB: number;
  heapUsedMiB: number;
}

export interface WarmResult {
  subject: string;
  node: string;
  /** Why the run died, when it did (e.g. out of memory at Lambda's heap limit); the figures are then zeros. */
  error?: string;
  toolsList: { requests: number; seconds: number; perSecond: number };
  createSearch: { pairs: number; seconds: number; pairsPerSecond: number; requestsPerSecond: number };
  memory: { beforeList: MemoryReading; afterList: MemoryReading; afterPairs: MemoryReading };
}

export interface WarmPlan {
  listRequests: number;
  warmupRequests: number;
  pairs: number;
}

export async function runWarm(
  subject: BuiltSubject,
  plan: WarmPlan,
  options: { node: string; backend: Backend; workDir: string },
): Promise<WarmResult> {
  const id = randomUUID();
  const tableName = `bench-warm-${id}`;
  await ensureTable(options.backend.client, tableName);
  const create = createEvent(2, "placeholder");
  const createBodies = Array.from({ length: plan.pairs }, (_, index) =>
    JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: {
        name: "create_memory",
        arguments: {
          content: `Warm memory number ${index}: the user's locker code is ${index * 7}.`,
          tags: ["warm"],
        },
      },
    }),
  );
  const planFile = join(options.workDir, `warm-${id}.json`);
  const resultFile = join(options.workDir, `warm-result-${id}.json`);
  writeFileSync(
    planFile,
    JSON.stringify({
      initialize: initializeEvent(),
      toolsList: rpcEvent(1, "tools/list"),
      create,
      search: searchEvent(3),
      createBodies,
      listRequests: plan.listRequests,
      warmupRequests: plan.warmupRequests,
    }),
  );
  const env = lambdaEnv({
    tableName,
    backend: options.backend,
    home: join(options.workDir, "home"),
  });
  try {
    await runChild(
      options.node,
      [...lambdaNodeFlags(), join(ROOT, "bench", "warm-session.mjs"), subject.bundle, planFile, resultFile],
      env,
      `${subject.id} warm run`,
    );
  } catch (error) {
    const output = error instanceof Error ? error.message : String(error);
    const served = [...output.matchAll(/^tools\/list (\d+)$/gm)].at(-1)?.[1] ?? "0";
    const reason = /heap out of memory/.test(output) ? outOfMemory(served) : failure(output);
    return failed(subject.id, plan, reason);
  }
  return {
    subject: subject.id,
    ...(JSON.parse(readFileSync(resultFile, "utf8")) as Omit<WarmResult, "subject">),
  };
}

function outOfMemory(served: string): string {
  const limit = lambdaNodeFlags()
    .find((flag) => flag.startsWith("--max-old-space-size="))
    ?.split("=")[1];
  return `out of memory after ${Number(served).toLocaleString("en-US")}+ timed tools/list requests (heap limit ${limit} MB, as in a 128 MB Lambda)`;
}

/** The first line (who failed, with what code) and the error's own line, if the output names one. */
function failure(text: string): string {
  const lines = text.split("\n");
  const error = lines.find((line) => /\b\w*Error\b|\bstatus \d{3}:/.test(line));
  return [lines[0], error]
    .filter((line) => line !== undefined)
    .join(" ... ")
    .slice(0, 400);
}

function failed(subject: string, plan: WarmPlan, error: string): WarmResult {
  const zero = { rssMiB: 0, heapUsedMiB: 0 };
  return {
    subject,
    node: "",
    error,
    toolsList: { requests: plan.listRequests, seconds: 0, perSecond: 0 },
    createSearch: { pairs: plan.pairs, seconds: 0, pairsPerSecond: 0, requestsPerSecond: 0 },
    memory: { beforeList: zero, afterList: zero, afterPairs: zero },
  };
}
