#!/usr/bin/env bash
# Kbuild for the compile check of generated kernel C (src/emit/kernel/compile.ts).
#
#   scripts/kernel-build.sh prepare        defconfig + USERFAULTFD (+ KVM), make prepare
#                                          (idempotent: a stamp file records it)
#   scripts/kernel-build.sh object REL.o...  build single objects, e.g. mm/uffdkit_x.o, with
#                                          KCFLAGS="-Wall -Werror" (make -k: one failure
#                                          does not stop the others; builds are serialized)
#   scripts/kernel-build.sh status         exit 0 when the tree is prepared
#
# The tree is the one `scripts/kernel-src.sh extract` prints (UFFDKIT_KSRC overrides).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
stamp_name=.uffdkit-prepared
# shellcheck source=kbuild-ccache.sh
. "$here/scripts/kbuild-ccache.sh"

ksrc() {
	"$here/scripts/kernel-src.sh" extract
}

case "${1:-}" in
prepare)
	tree=$(ksrc)
	if [ -f "$tree/$stamp_name" ] && [ -f "$tree/.config" ]; then
		echo "$tree"
		exit 0
	fi
	# One preparer at a time: two concurrent test runs must not race in make.
	exec 9>"$tree/.uffdkit-prepare.lock"
	flock 9
	if [ -f "$tree/$stamp_name" ] && [ -f "$tree/.config" ]; then
		echo "$tree"
		exit 0
	fi
	jobs=${UFFDKIT_JOBS:-$(nproc)}
	kbuild_ccache "$tree"
	{
		make -C "$tree" -s "${KCC[@]}" defconfig
		"$tree/scripts/config" --file "$tree/.config" \
			--enable USERFAULTFD \
			--enable PTE_MARKER_UFFD_WP \
			--enable VIRTUALIZATION \
			--enable KVM \
			--enable KVM_INTEL \
			--enable KVM_AMD \
			--enable TRANSPARENT_HUGEPAGE \
			--enable MEMORY_FAILURE
		make -C "$tree" -s "${KCC[@]}" olddefconfig
		make -C "$tree" -s "${KCC[@]}" -j"$jobs" prepare
	} >&2
	touch "$tree/$stamp_name"
	echo "$tree"
	;;
object)
	shift
	[ $# -gt 0 ] || { echo "usage: $0 object REL.o..." >&2; exit 2; }
	tree=$(ksrc)
	[ -f "$tree/$stamp_name" ] || { echo "kernel-build: tree not prepared; run: $0 prepare" >&2; exit 3; }
	exec 9>"$tree/.uffdkit-build.lock"
	flock 9
	kbuild_ccache "$tree"
	make -C "$tree" -s -k "${KCC[@]}" -j"${UFFDKIT_JOBS:-$(nproc)}" KCFLAGS="-Wall -Werror" "$@"
	;;
status)
	tree=$("$here/scripts/kernel-src.sh" path) || exit 1
	[ -f "$tree/$stamp_name" ]
	;;
*)
	echo "usage: $0 prepare|object REL.o|status" >&2
	exit 2
	;;
esac
