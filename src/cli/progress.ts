// Progress on stderr: a bar redrawn in place on a terminal. Elsewhere (a pipe, a log file, CI) only the
// lines logged through it (refused lines, retries) are written, and the summary says the rest.

/** Where progress goes: process.stderr, or a stream the tests read. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** `fraction` runs from 0 to 1; `detail` says what has been done, e.g. "600 of 1,000 memories". */
  update(fraction: number, detail: string): void;
  /** A line of its own above the bar (a refused line, a retry). */
  log(line: string): void;
  /** Removes the bar, so the summary starts on a clean line. */
  finish(): void;
}

const BAR_WIDTH = 24;
const CLEAR_LINE = "\r\u001b[K";

export function createProgress(output: ProgressOutput, label: string): Progress {
  return output.isTTY === true ? new TerminalProgress(output, label) : new QuietProgress(output);
}

class TerminalProgress implements Progress {
  private shown = "";
  private drawnPermille = -1;

  constructor(
    private readonly output: ProgressOutput,
    private readonly label: string,
  ) {}

  update(fraction: number, detail: string): void {
    const clamped = Math.min(Math.max(fraction, 0), 1);
    // At most a thousand redraws however large the job: a terminal that is sent 100,000 slows it down.
    const permille = Math.floor(clamped * 1000);
    if (permille === this.drawnPermille) return;
    this.drawnPermille = permille;
    const filled = Math.round(clamped * BAR_WIDTH);
    const bar = `${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}`;
    const line = `${this.label} [${bar}] ${Math.floor(clamped * 100)}% ${detail}`;
    // A pseudo-terminal without a size reports 0 columns.
    const columns = this.output.columns === undefined || this.output.columns < 20 ? 80 : this.output.columns;
    this.shown = line.slice(0, columns - 1);
    this.output.write(CLEAR_LINE + this.shown);
  }

  log(line: string): void {
    this.output.write(`${CLEAR_LINE}${line}\n${this.shown}`);
  }

  finish(): void {
    if (this.shown !== "") this.output.write(CLEAR_LINE);
    this.shown = "";
    this.drawnPermille = -1;
  }
}

/** Not a terminal: the summary says it all, and a log stays free of progress noise. */
class QuietProgress implements Progress {
  constructor(private readonly output: ProgressOutput) {}

  update(): void {}

  log(line: string): void {
    this.output.write(`${line}\n`);
  }

  finish(): void {}
}
