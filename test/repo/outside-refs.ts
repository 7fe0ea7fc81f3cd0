/**
 * What a reader of the repository, or of what uffdkit emits, cannot look up:
 * paths on the machine the project was written on, the notes and mailing-list
 * copies kept next to the repository rather than in it, and the names of the
 * project's own work tracker (its issue numbers, its engineers, their branches).
 * Mailing-list facts are cited by their lore.kernel.org link instead
 * (src/kernel/sources.ts), kernel facts by file or commit.
 */

/** Each pattern with what it stands for, so a failure says why the line is wrong. */
export const OUTSIDE_REPO: ReadonlyArray<{ readonly what: string; readonly re: RegExp }> = [
  { what: "a path on the authors' machine", re: /\/work\// },
  { what: "the authors' reference notes", re: /shared\/reference/ },
  { what: "a local copy of a mailing-list message (cite its lore link)", re: /\bseeds? ?\d{3}\b|\bseeds?\/\d{3}|\b\d{3}_[0-9a-f]{16}\b/ },
  { what: "the work tracker's notes", re: /\bNOTES\.md\b|\bcoord\// },
  { what: "the work tracker's issue numbers", re: /\b[Ii]ssues? #?(?:[1-9]|[12]\d)\b/ },
  { what: "a helper's branch name", re: /\b[hf][1-9][ab]?-[a-z]+\b/ },
  { what: "a helper's name", re: /\b(?:helper|engineer|branch|by|from) [HF][1-9]\b|\bthe lead\b(?!-)/ },
];

/** Lines of `text` that cite something outside the repository, as "name:line: what: text". */
export function outsideRepoRefs(name: string, text: string): string[] {
  const hits: string[] = [];
  text.split("\n").forEach((line, i) => {
    for (const { what, re } of OUTSIDE_REPO) {
      if (re.test(line)) hits.push(`${name}:${i + 1}: ${what}: ${line.trim()}`);
    }
  });
  return hits;
}

/**
 * Lines being reworded on other branches of the same round, each pinned to its
 * file and text so any other line of these files still fails. Drop an entry
 * once its lines are reworded. checklist.md is what gen writes from
 * src/report/checklist/items.ts.
 */
const PENDING: ReadonlyArray<{ readonly file: RegExp; readonly text: string }> = [];

/** Is this hit (from outsideRepoRefs) one of the pending lines? */
export function pendingElsewhere(hit: string): boolean {
  const file = hit.slice(0, hit.indexOf(":"));
  return PENDING.some((p) => p.file.test(file) && hit.includes(p.text));
}
