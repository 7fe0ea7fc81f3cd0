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

/** --kind as given; else a question when stdin is a terminal; else the device-node starter, said on stderr. */
async function kindOf(io: CliIO, given: unknown): Promise<unknown> {
  if (given !== undefined) return given;
  if (!process.stdin.isTTY || io.json) {
    io.err(`uffdkit init: no --kind given; writing the chardev starter (kinds: ${INIT_KINDS.join(", ")})`);
    return "chardev";
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const menu = INIT_KINDS.map((k, i) => `  ${i + 1}) ${k}: ${INIT_KIND_TEXT[k]}`).join("\n");
    const answer = (await rl.question(`What kind of memory type is it?\n${menu}\nkind [1]: `)).trim();
    if (answer === "") return "chardev";
    const n = Number(answer);
    return Number.isInteger(n) && n >= 1 && n <= INIT_KINDS.length ? INIT_KINDS[n - 1] : answer;
  } finally {
    rl.close();
  }
}

