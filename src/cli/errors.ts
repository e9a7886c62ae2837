// How the CLI fails: a CliError is a sentence for the person at the terminal and an exit code; Stopped
// wraps whatever ended a verb part way, with what had been done by then. No stack trace is ever shown.

export const EXIT = {
  ok: 0,
  /** Could not run, or stopped part way (the message says how far it got). */
  failed: 1,
  /** The command line was wrong, or wipe was not confirmed with --yes. */
  usage: 2,
  /** An import finished but refused some lines (each was reported). */
  someLinesRefused: 3,
  /** Ctrl-C: the verb stopped between two memories. */
  interrupted: 130,
} as const;

export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** A verb that ended part way: `cause` says why, `note` what was done before. */
export class Stopped extends Error {
  override readonly name = "Stopped";
  constructor(
    override readonly cause: unknown,
    readonly note: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** A file system error in a sentence: what went wrong, without a stack. */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code; // node's system errors carry a code
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory, not a file";
    case "EEXIST":
      return "a file of that name is in the way";
    case "ENOSPC":
      return "the disk is full";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
