// Pins down the two targets as a person meets them, each run as its own process: a data directory held by
// a running `npm start` (LevelDB's lock) is refused with a clear message; a deployed table is reached with
// the standard AWS settings (here AWS_ENDPOINT_URL_DYNAMODB points at dynalite), through `npm run -s
// memories` and through `make memories` (scripts/deploy.sh memories), which takes the table name from
// Terraform's output and refuses clearly when nothing is deployed; a missing table, credentials or region
// each get a sentence.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ensureTable } from "../../src/dynamodb/memory-store.ts";
import { type Dynalite, startDynalite } from "../helpers/dynalite.ts";
import { tempDir } from "./support.ts";

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without any AWS setting of this machine: each test says what it has. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
  return {
    ...env,
    HOME: tempDir("memories-home-"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

function memories(args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  return run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], env);
}

describe("local data directory", () => {
  let server: ChildProcess | undefined;
  after(() => {
    server?.kill("SIGINT");
  });

  test("in use by a running npm start: a clear message and exit 1", async () => {
    const dataDir = tempDir();
    server = spawn(process.execPath, ["--import", "tsx", "src/local/main.ts"], {
      env: cleanEnv({ PORT: "0", DATA_DIR: dataDir, MCP_API_KEY: "locked-key-0123456789" }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    const running = server;
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      running.stderr?.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes("is running locally")) resolve();
      });
      running.on("exit", () => reject(new Error(`npm start exited: ${seen}`)));
    });
    const result = await memories(["count"], cleanEnv({ DATA_DIR: dataDir }));
    assert.deepEqual(result, {
      code: 1,
      stdout: "",
      stderr:
        `The data directory ${dataDir} is in use by another process (a running \`npm start\`, or another ` +
        "`npm run memories`). Stop it (Ctrl-C) and try again.\n",
    });
  });
});

describe("deployed table", () => {
  let database: Dynalite;
  let awsEnv: Record<string, string>;
  before(async () => {
    database = await startDynalite();
    await ensureTable(database.client, "memory-mcp-test");
    awsEnv = {
      AWS_ENDPOINT_URL_DYNAMODB: database.endpoint,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    };
  });
  after(async () => {
    await database.stop();
  });

  test("import, count, and through npm run -s memories a clean export on stdout", async () => {
    const file = join(tempDir(), "notes.txt");
    writeFileSync(file, "Likes green tea\nBorn in Porto\n");
    const env = cleanEnv(awsEnv);
    const imported = await run(
      "npm",
      ["run", "-s", "memories", "--", "import", file, "--table", "memory-mcp-test"],
      env,
    );
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /Into table memory-mcp-test from .*: imported 2 memories/);
    const counted = await memories(["count", "--table", "memory-mcp-test"], env);
    assert.deepEqual(counted, { code: 0, stdout: "2\n", stderr: "" });
    const exported = await run(
      "npm",
      ["run", "-s", "memories", "--", "export", "--table", "memory-mcp-test"],
      env,
    );
    assert.equal(exported.code, 0, exported.stderr);
    // Nothing but the memories on stdout, so `> backup.jsonl` is a backup.
    assert.deepEqual(
      exported.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).content),
      ["Born in Porto", "Likes green tea"],
    );
  });

  test("a missing table, missing credentials and a missing region each get a sentence (exit 1)", async () => {
    const missingTable = await memories(["count", "--table", "no-such-table"], cleanEnv(awsEnv));
    assert.deepEqual(missingTable, {
      code: 1,
      stdout: "",
      stderr:
        "There is no table no-such-table in eu-west-1 for these AWS credentials: check the name " +
        "(`terraform -chdir=terraform output table_name`), the region (AWS_REGION) and the account (AWS_PROFILE).\n",
    });
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...noKeys } = awsEnv;
    const noCredentials = await memories(["count", "--table", "memory-mcp-test"], cleanEnv(noKeys));
    assert.deepEqual(noCredentials, {
      code: 1,
      stdout: "",
      stderr:
        "No AWS credentials found: log in (aws sso login, aws configure), or set AWS_PROFILE, or " +
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.\n",
    });
    const { AWS_REGION, ...noRegion } = awsEnv;
    const regionless = await memories(["count", "--table", "memory-mcp-test"], cleanEnv(noRegion));
    assert.deepEqual(regionless, {
      code: 1,
      stdout: "",
      stderr:
        "No AWS region: set AWS_REGION to the region you deployed to (or use a profile that has one).\n",
    });
  });

  test("make memories: the table from Terraform's output, and a clear refusal when nothing is deployed", async () => {
    const bin = tempDir("memories-bin-");
    // `terraform output -json table_name`: the name as a JSON string, or a failure when nothing is deployed.
    const fake = (output: string | undefined): void => {
      writeFileSync(
        join(bin, "terraform"),
        output === undefined
          ? "#!/usr/bin/env bash\necho 'Error: Output \"table_name\" not found' >&2\nexit 1\n"
          : `#!/usr/bin/env bash\nprintf '%s\\n' '${JSON.stringify(output)}'\n`,
      );
      chmodSync(join(bin, "terraform"), 0o755);
    };
    const env = cleanEnv({ ...awsEnv, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` });
    fake(undefined);
    const nothing = await run("bash", ["scripts/deploy.sh", "memories", "count"], env);
    assert.deepEqual(nothing, {
      code: 1,
      stdout: "",
      stderr:
        "deploy: nothing is deployed yet: the Terraform state in terraform/ has no table_name. Run `make deploy` first.\n",
    });
    // A table of its own: any other name than Terraform's would be "no table".
    await ensureTable(database.client, "memory-mcp-wrapped");
    fake("memory-mcp-wrapped");
    const counted = await run("bash", ["scripts/deploy.sh", "memories", "count"], env);
    assert.deepEqual({ code: counted.code, stdout: counted.stdout }, { code: 0, stdout: "0\n" });
  });
});
