// The command line of `npm run memories`: parses it, opens the target, runs one verb and turns every
// outcome into a message on stderr and an exit code (errors.ts). Data goes to stdout, the rest to stderr.
import type { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { DataDirInUseError } from "../local/database.ts";
import { StoreError } from "../memory/memory-store.ts";
import { CliError, EXIT, Stopped } from "./errors.ts";
import {
  EXPORT_FORMATS,
  type ExportFormat,
  exportMemories,
  fileOutput,
  type Output,
  stdoutOutput,
} from "./export.ts";
import { IMPORT_FORMATS, type ImportFormat } from "./formats.ts";
import { importFile, openInput, summaryLine } from "./import.ts";
import { plural } from "./plural.ts";
import { createProgress, type ProgressOutput } from "./progress.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry.ts";
import { openTarget, type Target, type TargetSpec } from "./target.ts";
import { wipeMemories } from "./wipe.ts";

export const USAGE = `Usage: npm run memories -- <command> [--data-dir DIR | --table NAME] [options]

Commands:
  export [--format jsonl|markdown] [--out FILE]
      Every memory, newest first. JSONL (the default) is lossless and is what import reads back;
      Markdown is for reading: grouped by tag, newest first. Without --out it goes to stdout
      (use npm run -s, so npm's own banner stays out of it).
  import FILE [--from jsonl|memory-server|text]
      jsonl: an export of this tool; ids and timestamps are kept, and importing twice changes nothing.
      memory-server: the memory.jsonl of @modelcontextprotocol/server-memory.
      text: one memory per line or Markdown bullet.
      Without --from, the first line decides. Bad lines are reported and skipped.
  count
      How many memories there are (printed on stdout).
  wipe --yes
      Deletes every memory. Without --yes it only says how many it would delete.

Where:
  --data-dir DIR   the local server's data (default: $DATA_DIR, else .data), as \`npm start\` uses it
  --table NAME     a deployed DynamoDB table, with your AWS credentials (AWS_PROFILE, AWS_REGION, ...);
                   \`make memories ARGS="..."\` fills it in from Terraform's output

Exit codes: 0 done; 1 failed or stopped (the message says how far it got); 2 wrong usage;
3 import done but some lines refused; 130 interrupted (Ctrl-C).
`;

export interface CliIo {
  stdout: Writable;
  stderr: ProgressOutput;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: the verb stops between two memories. */
  signal: AbortSignal;
  retry?: RetryPolicy;
  now?: () => Date;
}

const PROGRESS_LABELS = {
  count: "Counting",
  export: "Exporting",
  import: "Importing",
  wipe: "Deleting",
} as const;

type Command =
  | { verb: "help" }
  | { verb: "export"; target: TargetSpec; format: ExportFormat; out: string | undefined }
  | { verb: "import"; target: TargetSpec; file: string; from: ImportFormat | undefined }
  | { verb: "count"; target: TargetSpec }
  | { verb: "wipe"; target: TargetSpec; yes: boolean };

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const say = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  let target: Target | undefined;
  try {
    const command = parseCommand(argv, io.env);
    if (command.verb === "help") {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    const progress = createProgress(io.stderr, PROGRESS_LABELS[command.verb]);
    const retry = withRetryNotes(io.retry ?? DEFAULT_RETRY, (line) => progress.log(line));
    switch (command.verb) {
      case "count": {
        target = await openTarget(command.target, { create: false });
        const { store } = target;
        const count = await withRetry(() => store.count(), retry, io.signal);
        io.stdout.write(`${count}\n`);
        return EXIT.ok;
      }
      case "export": {
        // The output first: an unwritable --out fails before the database is opened.
        const output: Output =
          command.out === undefined ? stdoutOutput(io.stdout) : await fileOutput(command.out);
        try {
          target = await openTarget(command.target, { create: false });
        } catch (error) {
          await output.abort();
          throw error;
        }
        const exported = await exportMemories({
          store: target.store,
          format: command.format,
          output,
          progress,
          retry,
          signal: io.signal,
          now: io.now ?? ((): Date => new Date()),
        });
        say(
          `Exported ${plural(exported, "memory", "memories")} from ${target.label} ` +
            `to ${command.out ?? "standard output"} (${command.format}).`,
        );
        return EXIT.ok;
      }
      case "import": {
        // The file first: an unreadable one fails before the database is opened.
        const input = await openInput(command.file);
        try {
          target = await openTarget(command.target, { create: true });
        } catch (error) {
          await input.close();
          throw error;
        }
        const summary = await importFile({
          store: target.store,
          input,
          file: command.file,
          format: command.from,
          progress,
          retry,
          signal: io.signal,
        });
        say(`Into ${target.label} from ${command.file} (${summary.format}): ${summaryLine(summary)}.`);
        return summary.refused === 0 ? EXIT.ok : EXIT.someLinesRefused;
      }
      default: {
        // wipe
        target = await openTarget(command.target, { create: false });
        const { store } = target;
        const total = await withRetry(() => store.count(), retry, io.signal);
        if (!command.yes) {
          say(
            `${capitalise(target.label)} holds ${plural(total, "memory", "memories")}. ` +
              "wipe deletes every one of them: run it again with --yes to go ahead.",
          );
          return EXIT.usage;
        }
        say(`Deleting ${plural(total, "memory", "memories")} from ${target.label}...`);
        const deleted = await wipeMemories({
          store,
          total,
          progress,
          retry,
          signal: io.signal,
        });
        say(`Deleted ${plural(deleted, "memory", "memories")} from ${target.label}.`);
        return EXIT.ok;
      }
    }
  } catch (error) {
    const { message, exitCode } = explain(error, target, io.signal);
    say(message);
    return exitCode;
  } finally {
    await target?.close();
  }
}

function parseCommand(argv: readonly string[], env: CliIo["env"]): Command {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [verb, ...rest] = positionals;
  if (values.help === true || verb === "help" || verb === undefined) return { verb: "help" };

  const allowed: Record<string, readonly string[]> = {
    export: ["format", "out"],
    import: ["from"],
    count: [],
    wipe: ["yes"],
  };
  const options = allowed[verb];
  if (options === undefined) throw usage(`unknown command "${verb}"`);
  for (const name of ["format", "out", "from", "yes"] as const) {
    if (values[name] !== undefined && !options.includes(name)) {
      throw usage(`--${name} does not go with ${verb}`);
    }
  }
  const expectedArguments = verb === "import" ? 1 : 0;
  if (rest.length !== expectedArguments) {
    throw usage(
      verb === "import" ? "import takes one FILE" : `${verb} takes no argument, got "${rest.join(" ")}"`,
    );
  }

  if (values["data-dir"] !== undefined && values.table !== undefined) {
    throw usage("give either --data-dir or --table, not both");
  }
  const target: TargetSpec =
    values.table !== undefined
      ? { kind: "table", tableName: values.table }
      : { kind: "local", dataDir: values["data-dir"] ?? nonEmpty(env.DATA_DIR) ?? ".data" };

  switch (verb) {
    case "export":
      return {
        verb,
        target,
        format: oneOf("--format", values.format ?? "jsonl", EXPORT_FORMATS),
        out: values.out,
      };
    case "import":
      return {
        verb,
        target,
        file: rest[0] ?? "",
        from: values.from === undefined ? undefined : oneOf("--from", values.from, IMPORT_FORMATS),
      };
    case "wipe":
      return { verb, target, yes: values.yes === true };
    default:
      return { verb: "count", target };
  }
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      "data-dir": { type: "string" },
      table: { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
      from: { type: "string" },
      yes: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function oneOf<Choice extends string>(flag: string, value: string, choices: readonly Choice[]): Choice {
  const choice = choices.find((candidate) => candidate === value);
  if (choice === undefined) throw usage(`${flag} must be one of ${choices.join(", ")}, not "${value}"`);
  return choice;
}

function usage(problem: string): CliError {
  return new CliError(`${problem}\nRun \`npm run memories -- --help\` for the commands.`, EXIT.usage);
}

/** The message and exit code for whatever ended the run. Never a stack trace. */
function explain(
  error: unknown,
  target: Target | undefined,
  signal: AbortSignal,
): { message: string; exitCode: number } {
  if (error instanceof Stopped) {
    const inner = explain(error.cause, target, signal);
    return { message: `${inner.message}\n${error.note}`, exitCode: inner.exitCode };
  }
  if (signal.aborted) return { message: "Interrupted (Ctrl-C).", exitCode: EXIT.interrupted };
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof DataDirInUseError) return { message: error.message, exitCode: EXIT.failed };
  const described = target?.describeError(error);
  if (described !== undefined) return { message: described, exitCode: EXIT.failed };
  if (error instanceof StoreError && error.kind === "throttled") {
    return {
      message: "DynamoDB kept throttling requests, even after retrying with backoff for about two minutes.",
      exitCode: EXIT.failed,
    };
  }
  if (error instanceof StoreError && error.kind === "unavailable") {
    return {
      message: "The database could not be reached or kept failing, even after retrying with backoff.",
      exitCode: EXIT.failed,
    };
  }
  // A write to a closed pipe fails with node's system error, which carries a code.
  if ((error as NodeJS.ErrnoException | undefined)?.code === "EPIPE") {
    // stdout was closed early (| head): what was read is what was wanted.
    return { message: "Standard output was closed before the export ended.", exitCode: EXIT.failed };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { message: `Failed: ${text}`, exitCode: EXIT.failed };
}

/** Says each retry on stderr, so a slow run explains itself. */
function withRetryNotes(policy: RetryPolicy, say: (line: string) => void): RetryPolicy {
  return {
    ...policy,
    onRetry(error, waitMs, attempt) {
      policy.onRetry?.(error, waitMs, attempt);
      say(
        `DynamoDB is ${error.kind === "throttled" ? "throttling" : "not answering"}: retrying in ${(waitMs / 1000).toFixed(1)} s (try ${attempt + 1} of ${policy.attempts}).`,
      );
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
