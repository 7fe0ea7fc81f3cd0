/**
 * How a command talks to the user. In --json mode stdout carries exactly one JSON
 * document and people's text goes to stderr; otherwise results go to stdout and
 * progress notes to stderr.
 */
export interface CliIO {
  readonly json: boolean;
  /** Colour and bold in human output: only on a TTY without NO_COLOR. */
  readonly color: boolean;
  /** A result line for people (suppressed in --json mode). */
  out(text: string): void;
  /** A note or error for people; always stderr. */
  err(text: string): void;
  /** The machine-readable result (only in --json mode). */
  emitJson(value: unknown): void;
}

/**
 * A reader that closes the pipe early (`uffdkit check x | head`) is not an error
 * of ours: stop writing quietly instead of dying on EPIPE.
 */
let pipeGuardInstalled = false;
function guardClosedPipes(): void {
  if (pipeGuardInstalled) return;
  pipeGuardInstalled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

export function makeIO(json: boolean): CliIO {
  guardClosedPipes();
  const color = !json && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  return {
    json,
    color,
    out(text) {
      if (!json) process.stdout.write(text.endsWith("\n") ? text : text + "\n");
    },
    err(text) {
      process.stderr.write(text.endsWith("\n") ? text : text + "\n");
    },
    emitJson(value) {
      if (json) process.stdout.write(JSON.stringify(value, null, 2) + "\n");
    },
  };
}

/** Exit codes of the CLI contract (docs/architecture.md, "The CLI contract"). */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;
