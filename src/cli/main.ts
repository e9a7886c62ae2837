// `npm run memories -- <command>`: export, import, count or wipe the memories of the local data directory
// or of a deployed table (docs/backup-export-import.md). Ctrl-C stops between two memories; twice, at once.
import { EXIT } from "./errors.ts";
import { runCli } from "./run.ts";

const interrupt = new AbortController();
process.on("SIGINT", () => {
  if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
  interrupt.abort();
});
// A reader that goes away (| head) fails the next write, which ends the export; no crash on the event.
process.stdout.on("error", () => {});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});
