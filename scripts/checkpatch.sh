#!/usr/bin/env bash
# checkpatch.pl from Debian's linux-source-6.12 (its scripts/checkpatch.pl), run the way
# uffdkit checks its own series:
#
#   scripts/checkpatch.sh PATCH...
#
# = perl <ksrc>/scripts/checkpatch.pl --strict --no-tree --terse --show-types PATCH...
# The tree comes from scripts/kernel-src.sh extract (spelling.txt and
# const_structs.checkpatch sit next to checkpatch.pl there, so TYPO_SPELLING and
# CONST_STRUCT are active). Exit: checkpatch's own (0 clean, 1 findings), or 3
# when checkpatch is not available here (the reason goes to stderr).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || { echo "usage: $0 PATCH..." >&2; exit 2; }
ksrc=$("$here/kernel-src.sh" extract 2>/dev/null) || {
	echo "checkpatch: unavailable: linux-source-6.12 is not installed (run scripts/kernel-src.sh install)" >&2
	exit 3
}
cp="$ksrc/scripts/checkpatch.pl"
[ -f "$cp" ] || { echo "checkpatch: unavailable: $cp missing" >&2; exit 3; }
exec perl "$cp" --strict --no-tree --terse --show-types "$@"
