// How the benchmark starts a subject the way Lambda's nodejs runtime would at 128 MB: the runtime's node flags
// and the environment a function sees, with DynamoDB pointed at the local dynalite.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { sha256Hex } from "../src/protocol/auth.ts";
import { TEST_API_KEY } from "../test/fixtures/events.ts";
import { startDynalite } from "../test/helpers/dynalite.ts";
import { startTlsFront } from "./tls-front.ts";

export const MEMORY_MB = 128;

/**
 * The flags /var/runtime/bootstrap of the public Lambda nodejs base images passes to node
 * (https://github.com/aws/aws-lambda-base-images): new space = memory / 10, semi-space half of it,
 * old space the rest; for 128 MB, --max-semi-space-size=6 --max-old-space-size=116.
 */
export function lambdaNodeFlags(memoryMb = MEMORY_MB): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    "--expose-gc",
    "--max-http-header-size=81920",
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/** Where the subjects' DynamoDB calls go: dynalite, behind the HTTPS front when there is one. */
export interface Backend {
  /** For AWS_ENDPOINT_URL_DYNAMODB. */
  endpoint: string;
  /** The self-signed certificate of the HTTPS front, for NODE_EXTRA_CA_CERTS. */
  caFile?: string | undefined;
  /** The harness's own client (straight to dynalite), for creating tables. */
  client: DynamoDBClient;
}

/** A running backend: dynalite in this process, behind the HTTPS front unless `tls` is false. */
export interface RunningBackend extends Backend {
  /** False when asked for plain HTTP, or when openssl is missing (see startTlsFront). */
  tls: boolean;
  stop(): Promise<void>;
}

/** Starts dynalite and, unless `tls` is false, its HTTPS front (certificate files go to `dir`). */
export async function startBackend(dir: string, { tls = true } = {}): Promise<RunningBackend> {
  const database = await startDynalite();
  const front = tls ? await startTlsFront(database.endpoint, dir) : undefined;
  return {
    endpoint: front?.endpoint ?? database.endpoint,
    caFile: front?.caFile,
    client: database.client,
    tls: front !== undefined,
    async stop() {
      await front?.stop();
      await database.stop();
    },
  };
}

export interface LambdaEnvOptions {
  tableName: string;
  backend: Backend;
  /** An empty directory for HOME, so the SDK finds no ~/.aws of the machine running the benchmark. */
  home: string;
}

export function lambdaEnv(options: LambdaEnvOptions): NodeJS.ProcessEnv {
  mkdirSync(options.home, { recursive: true });
  return {
    PATH: process.env.PATH,
    HOME: options.home,
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    LAMBDA_TASK_ROOT: join(options.home, "task"),
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_LAMBDA_FUNCTION_NAME: "memory-mcp",
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(MEMORY_MB),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    // Lambda hands the execution role's temporary credentials to the function in these three variables.
    AWS_ACCESS_KEY_ID: "ASIABENCHMARKEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "bench/secret/access/key/0123456789abcdef",
    AWS_SESSION_TOKEN: "bench-session-token",
    // Node 20 only (the benchmark's default runtime): the SDK would warn once that it drops Node 20 in 2027.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_ENDPOINT_URL_DYNAMODB: options.backend.endpoint,
    ...(options.backend.caFile === undefined ? {} : { NODE_EXTRA_CA_CERTS: options.backend.caFile }),
    TABLE_NAME: options.tableName,
    MCP_API_KEY_SHA256: sha256Hex(TEST_API_KEY),
  };
}

/** "current" (this node), "22" (Lambda's major, fetched once by npx) or a path to a node binary. */
export function resolveNode(choice: string): string {
  if (choice === "current") return process.execPath;
  if (/^\d+$/.test(choice)) {
    return execFileSync(
      "npx",
      ["-y", "-p", `node@${choice}`, "node", "-e", "process.stdout.write(process.execPath)"],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      },
    ).trim();
  }
  return resolve(choice);
}
