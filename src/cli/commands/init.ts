/**
 * `uffdkit init NAME [--kind K] [--force]`: write a commented starter spec
 * NAME.uffd.ts in the current directory, shaped like the kind of type it is
 * (device node, syscall-made, filesystem, guest_memfd). Without --kind it asks
 * when stdin is a terminal, and writes the device-node starter otherwise,
 * saying so. It passes `uffdkit check` as written; an existing file is never
 * overwritten without --force.
 */
import { randomBytes } from "node:crypto";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { MAX_NAME_LENGTH } from "../../load/shape.js";
import { join } from "node:path";
import { isCIdentifier } from "../../kernel/cident.js";
import { createInterface } from "node:readline/promises";
import { EXIT, type CliIO } from "../io.js";
import { INIT_KINDS, INIT_KIND_TEXT, starterSpec, type InitKind } from "./init-starters.js";

export { starterSpec } from "./init-starters.js";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const name = args[0] ?? "";
  const fail = (msg: string) => {
    if (io.json) io.emitJson({ error: msg });
    io.err(`uffdkit init: ${msg}`);
    return EXIT.usage;
  };
  if (!isCIdentifier(name) || name.length > MAX_NAME_LENGTH) {
    return fail(`${JSON.stringify(name)} is not a C identifier; NAME becomes the C prefix of every generated symbol (letters, digits and _, not a C keyword, at most ${MAX_NAME_LENGTH} characters, e.g. my_mem)`);
  }
  const file = `${name}.uffd.ts`;
  const path = join(process.cwd(), file);
  if (existsSync(path) && !opts.force) return fail(`${file} already exists; pass --force to overwrite it`);
  const kind = await kindOf(io, opts.kind);
  if (typeof kind === "object" && kind !== null && "error" in kind) return fail(String(kind.error));
  if (typeof kind !== "string" || !(INIT_KINDS as readonly string[]).includes(kind)) return fail(`--kind must be one of ${INIT_KINDS.join(", ")}${kind ? ` (got ${JSON.stringify(kind)})` : ""}`);

  // Write beside the target and rename, so an interrupted init never leaves half a spec. The temp
  // name is random and created exclusively (wx), so a link planted at a guessable name is never followed.
  const tmp = `${path}.${randomBytes(8).toString("hex")}.tmp`;
  writeFileSync(tmp, starterSpec(name, kind as InitKind), { flag: "wx" });
  renameSync(tmp, path);
  if (io.json) io.emitJson({ file, kind, written: true });
  io.out(`wrote ${file} (${kind}: ${INIT_KIND_TEXT[kind as InitKind]}); next: uffdkit check ${file}`);
  return EXIT.ok;
}

/** How many answers the question takes before init gives up and says to pass --kind. */
export const INIT_ASK_ATTEMPTS = 3;

/** --kind as given; else a question when stdin is a terminal; else the device-node starter, said on stderr. */
async function kindOf(io: CliIO, given: unknown): Promise<unknown> {
  if (given !== undefined) return given;
  if (!process.stdin.isTTY || io.json) {
    io.err(`uffdkit init: no --kind given; writing the chardev starter (kinds: ${INIT_KINDS.join(", ")})`);
    return "chardev";
  }
  return askKind(io);
}

/** An answer to the question: its number (1-4), the kind's name, or nothing for the first. */
export function parseKindAnswer(answer: string): InitKind | undefined {
  const a = answer.trim().toLowerCase();
  if (a === "") return INIT_KINDS[0];
  const n = Number(a);
  if (/^\d+$/.test(a)) return Number.isInteger(n) && n >= 1 && n <= INIT_KINDS.length ? INIT_KINDS[n - 1] : undefined;
  return (INIT_KINDS as readonly string[]).includes(a) ? (a as InitKind) : undefined;
}

/**
 * Ask on the terminal. A wrong answer says what is accepted and asks again; after
 * INIT_ASK_ATTEMPTS wrong answers, or on Ctrl+C / Ctrl+D, init stops with one line
 * and writes nothing. Lines are queued as they arrive, so answers typed or pasted
 * ahead of the prompt are not lost.
 */
async function askKind(io: CliIO): Promise<unknown> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const lines: string[] = [];
  let ended: "end of input (Ctrl+D)" | "interrupted (Ctrl+C)" | undefined;
  let wake: (() => void) | undefined;
  rl.on("line", (l) => {
    lines.push(l);
    wake?.();
  });
  rl.on("SIGINT", () => {
    ended = "interrupted (Ctrl+C)";
    rl.close();
  });
  rl.on("close", () => {
    ended ??= "end of input (Ctrl+D)";
    wake?.();
  });
  const next = async (): Promise<string | undefined> => {
    while (lines.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
    return lines.shift();
  };
  try {
    const menu = INIT_KINDS.map((k, i) => `  ${i + 1}) ${k}: ${INIT_KIND_TEXT[k]}`).join("\n");
    process.stderr.write(`What kind of memory type is it?\n${menu}\n`);
    rl.setPrompt("kind [1]: ");
    for (let attempt = 1; attempt <= INIT_ASK_ATTEMPTS; attempt++) {
      rl.prompt();
      const answer = await next();
      if (answer === undefined) return { error: `no kind chosen: ${ended}; nothing written (or pass --kind ${INIT_KINDS.join("|")})` };
      const kind = parseKindAnswer(answer);
      if (kind) return kind;
      const left = INIT_ASK_ATTEMPTS - attempt;
      if (left > 0) process.stderr.write(`${JSON.stringify(answer.trim())} is not a kind: answer 1-${INIT_KINDS.length}, or one of ${INIT_KINDS.join(", ")} (Enter for chardev)\n`);
    }
    return { error: `no kind chosen after ${INIT_ASK_ATTEMPTS} answers; nothing written (answer 1-${INIT_KINDS.length}, or pass --kind ${INIT_KINDS.join("|")})` };
  } finally {
    rl.close();
  }
}
