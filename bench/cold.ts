// Runs one cold session of one subject in a fresh child process (bench/cold-session.mjs) on a fresh table,
// and checks every answer before its figures count.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTable } from "../src/store/dynamodb.ts";
import { type Backend, lambdaEnv, lambdaNodeFlags } from "./lambda-env.ts";
import { checkResponse, coldSession, type HandlerResponse, type RequestLabel } from "./session.ts";
import { type BuiltSubject, ROOT } from "./subjects.ts";

export interface Phase {
  cpuMs: number;
  wallMs: number;
}

export interface ColdResult {
  subject: string;
  node: string;
  init: Phase;
  requests: Record<RequestLabel, Phase>;
  /** Peak RSS of the whole session, and the peak reached by the end of INIT. */
  maxRssMiB: number;
  maxRssAfterInitMiB: number;
}

interface ChildResult {
  node: string;
  init: Phase;
  requests: (Phase & { label: RequestLabel; response: HandlerResponse })[];
  maxRssKiB: number;
  maxRssAfterInitKiB: number;
}

export async function runColdSession(
  subject: BuiltSubject,
  options: { node: string; backend: Backend; workDir: string },
): Promise<ColdResult> {
  const id = randomUUID();
  const tableName = `bench-${id}`;
  await ensureTable(options.backend.client, tableName);
  const sessionFile = join(options.workDir, `session-${id}.json`);
  const resultFile = join(options.workDir, `result-${id}.json`);
  writeFileSync(sessionFile, JSON.stringify({ requests: coldSession() }));
  const env = lambdaEnv({
    tableName,
    backend: options.backend,
    home: join(options.workDir, "home"),
  });
  await runChild(
    options.node,
    [...lambdaNodeFlags(), join(ROOT, "bench", "cold-session.mjs"), subject.bundle, sessionFile, resultFile],
    env,
    `${subject.id} cold session`,
  );
  const result = JSON.parse(readFileSync(resultFile, "utf8")) as ChildResult;
  const requests = {} as Record<RequestLabel, Phase>; // filled for every label just below
  for (const request of result.requests) {
    checkResponse(request.label, request.response, subject.fullMcp);
    requests[request.label] = { cpuMs: request.cpuMs, wallMs: request.wallMs };
  }
  return {
    subject: subject.id,
    node: result.node,
    init: result.init,
    requests,
    maxRssMiB: result.maxRssKiB / 1024,
    maxRssAfterInitMiB: result.maxRssAfterInitKiB / 1024,
  };
}

/** Spawns node, keeps its output, and fails with the output when it exits non-zero. */
export function runChild(
  node: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  what: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${what} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}
