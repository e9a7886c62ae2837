// Runs one cold session of one subject in a fresh child process (bench/cold-session.mjs) on a fresh table,
// and checks every answer before its figures count; runChildSession is the raw run that bench/run.ts,
// bench/split.ts and bench/profile.ts share.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ensureTable } from "../src/dynamodb/memory-store.ts";
import { META_KEY } from "../src/dynamodb/search-index.ts";
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

/** What bench/cold-session.mjs writes: answers unchecked, phases as measured, hrtime marks of each phase. */
export interface ChildSession {
  node: string;
  init: Phase;
  requests: (Phase & { label: RequestLabel; response: HandlerResponse })[];
  marks: string[];
  maxRssKiB: number;
  maxRssAfterInitKiB: number;
}

export interface ChildSessionOptions {
  node: string;
  backend: Backend;
  /** Where the session's files go (and any a node flag writes, such as --cpu-prof-dir). */
  workDir: string;
  /** After Lambda's own flags. */
  nodeFlags?: readonly string[];
  /** Names the session in an error. */
  what: string;
}

/** One session of `bundle` in a fresh node with Lambda's 128 MB flags, on a fresh table: its raw result. */
export async function runChildSession(bundle: string, options: ChildSessionOptions): Promise<ChildSession> {
  const id = randomUUID();
  const tableName = `bench-${id}`;
  await ensureTable(options.backend.client, tableName);
  // A used table, as a cold container meets it: its search index was switched on by the table's first
  // search, once in its life (docs/storage-index.md, "Migration"), not in every cold start. Builds without
  // the index never read this item.
  await options.backend.client.send(
    new PutItemCommand({ TableName: tableName, Item: { ...META_KEY, token: { S: "built" } } }),
  );
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
    [
      ...lambdaNodeFlags(),
      ...(options.nodeFlags ?? []),
      join(ROOT, "bench", "cold-session.mjs"),
      bundle,
      sessionFile,
      resultFile,
    ],
    env,
    options.what,
  );
  return JSON.parse(readFileSync(resultFile, "utf8")) as ChildSession; // written by bench/cold-session.mjs
}

/** One cold session of a subject, every answer checked before its figures count. */
export async function runColdSession(
  subject: BuiltSubject,
  options: { node: string; backend: Backend; workDir: string },
): Promise<ColdResult> {
  const result = await runChildSession(subject.bundle, { ...options, what: `${subject.id} cold session` });
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
