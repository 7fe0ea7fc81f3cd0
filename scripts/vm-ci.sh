#!/usr/bin/env bash
# CI stage: the reference suites in QEMU guests on Debian's 6.1
# and 6.12 images (TCG unless the host can nest KVM), each against the
# simulator held to that kernel's version. Installs what it needs first.
#
#   scripts/vm-ci.sh            Debian 6.1 and 6.12 (the CI stage)
#   scripts/vm-ci.sh --built    also linux-source-6.12 built by uffdkit (opt-in:
#                               the first build does not fit CI's budget; see
#                               docs/vm.md for the numbers)
#   scripts/vm-ci.sh --all      the examples' planned suites too (long under TCG)
#
# Prints one summary line per kernel (agreement, lacks, errors, time) and the
# stage's own time; exits non-zero on a disagreement, an error or a finding.
set -uo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
kernels=(debian-6.1 debian-6.12)
examples=(--no-examples)
for a in "$@"; do
	case "$a" in
	--built) kernels+=(built-6.12) ;;
	--all) examples=() ;;
	*) echo "vm-ci: unknown option $a" >&2; exit 2 ;;
	esac
done
scripts/vm-setup.sh || exit 1
scripts/kernel-src.sh install >/dev/null && scripts/kernel-src.sh extract >/dev/null || { echo "vm-ci: linux-source-6.12 unavailable" >&2; exit 1; }
[ -f dist/cli/main.js ] || npm run --silent build || exit 1
node bin/uffdkit.js conform --no-host "${examples[@]}" --vm "${kernels[@]}" >.cache/vm-ci.txt
rc=$?
grep -E '^[0-9.]+ \(.*\): agreement ' .cache/vm-ci.txt
echo "vm-ci: ${kernels[*]}: $(( $(date +%s) - t0 )) s (report: .cache/vm-ci.txt)"
exit $rc
