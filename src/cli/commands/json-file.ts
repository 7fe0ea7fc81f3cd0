/**
 * Reading a JSON file a user names (a scenario, a program, a replay): a
 * regular file under a size limit (not a FIFO, not /dev/zero), its nesting
 * checked before JSON.parse recurses over it, and every failure said with
 * the file and, where there is one, the line and column.
 */
import { MAX_SCENARIO_BYTES, MAX_SCENARIO_NESTING, nestingBeyond } from "../../load/limits.js";
import { lineAndColumn } from "../../load/positions.js";
import { readSourceFile } from "../../load/read.js";

export type JsonRead = { ok: true; data: unknown; text: string } | { ok: false; error: string };

export function readJsonFile(file: string): JsonRead {
  const read = readSourceFile(file, MAX_SCENARIO_BYTES);
  if (!read.ok) return { ok: false, error: `${file}: cannot read: ${read.why}` };
  const text = read.text;
  const deep = nestingBeyond(text, MAX_SCENARIO_NESTING);
  if (deep !== undefined) {
    const { line, column } = lineAndColumn(text, deep, {});
    return { ok: false, error: `${file}:${line}:${column}: brackets nest deeper than ${MAX_SCENARIO_NESTING} levels; a scenario nests about six` };
  }
  try {
    return { ok: true, data: JSON.parse(text), text };
  } catch (e) {
    return { ok: false, error: `${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}
