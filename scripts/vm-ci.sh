#!/usr/bin/env bash
# CI stage: the reference suites in QEMU guests on Debian's 6.1
# and 6.12 images and on one built 6.12 (TCG unless the host can nest KVM),
# each against the simulator held to that kernel's version. Installs what it
# needs first.
#
# The built 6.12 is the kernel `series --build --boot` made of xram's series
# on linux-source-6.12 (test/vm/series-boot-e2e.test.ts, in .cache/series-boot-xram):
# the vitest stage builds and boots it for the generated selftests, and this
# stage boots the same bzImage for the reference suites, so CI builds one
# kernel. Run alone, the stage runs that test first when the image is missing.
#
#   scripts/vm-ci.sh            Debian 6.1, 6.12 and the series' built 6.12 (the CI stage)
#   scripts/vm-ci.sh --built    also built-6.12 (linux-source-6.12 as it is, in the VM cache)
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
series_image=.cache/series-boot-xram/o-vm/arch/x86/boot/bzImage
if [ ! -f "$series_image" ]; then
	echo "vm-ci: no series kernel yet: building and booting xram's series (test/vm/series-boot-e2e.test.ts; a cold build takes several minutes)" >&2
	t1=$(date +%s)
	npx vitest run test/vm/series-boot-e2e.test.ts >&2 || { echo "vm-ci: series --build --boot failed" >&2; exit 1; }
	echo "vm-ci: series kernel built and booted in $(( $(date +%s) - t1 )) s" >&2
fi
kernels+=("$series_image")
node bin/uffdkit.js conform --no-host "${examples[@]}" --vm "${kernels[@]}" >.cache/vm-ci.txt
rc=$?
grep -E '^[0-9.]+ \(.*\): agreement ' .cache/vm-ci.txt
echo "vm-ci: ${kernels[*]}: $(( $(date +%s) - t0 )) s (report: .cache/vm-ci.txt)"
exit $rc
