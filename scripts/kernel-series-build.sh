#!/usr/bin/env bash
# Kbuild for `uffdkit series --build` (src/series/build): builds objects of a
# kernel source tree (a git worktree of the user's tree) in separate O= output
# directories, one per configuration, each prepared once and reused.
#
#   scripts/kernel-series-build.sh prepare SRC O KIND [SYM]
#       KIND builtin: x86_64 defconfig + USERFAULTFD (+ SYM=y)
#       KIND module:  the same with SYM=m (the memory type as a module)
#       KIND nouffd:  defconfig with USERFAULTFD=n (+ SYM=y)
#       Then olddefconfig and modules_prepare; a no-op when already done.
#   scripts/kernel-series-build.sh objects SRC O OBJ...
#       make -k W=1 the objects (e.g. mm/shmem.o drivers/char/xram.mod).
#   scripts/kernel-series-build.sh modpost O SYMVERS MODULE.o...
#       run the tree's modpost on the modules against the export table SYMVERS
#       (errors, not warnings, for undefined symbols).
#
# Jobs: UFFDKIT_JOBS (default: nproc). Compiles go through ccache where it is
# installed (scripts/kbuild-ccache.sh; UFFDKIT_CCACHE=0 turns it off).
# Output of make goes to stdout/stderr as is.
set -euo pipefail
jobs=${UFFDKIT_JOBS:-$(nproc)}
# shellcheck source=kbuild-ccache.sh
. "$(dirname "$0")/kbuild-ccache.sh"

case "${1:-}" in
prepare)
	src=${2:?SRC} o=${3:?O} kind=${4:?KIND} sym=${5:-}
	mkdir -p "$o"
	kbuild_ccache "$(dirname "$o")"
	[ -f "$o/.config" ] || make -s -C "$src" O="$o" "${KCC[@]}" defconfig >/dev/null
	args=()
	case "$kind" in
	builtin) args+=(--enable USERFAULTFD --enable PTE_MARKER_UFFD_WP --enable TRANSPARENT_HUGEPAGE) ;;
	module) args+=(--enable USERFAULTFD --enable PTE_MARKER_UFFD_WP --enable TRANSPARENT_HUGEPAGE --enable MODULES) ;;
	nouffd) args+=(--disable USERFAULTFD) ;;
	*) echo "kernel-series-build: unknown KIND $kind" >&2; exit 2 ;;
	esac
	if [ -n "$sym" ]; then
		if [ "$kind" = module ]; then args+=(--module "$sym"); else args+=(--enable "$sym"); fi
	fi
	"$src/scripts/config" --file "$o/.config" "${args[@]}"
	make -s -C "$src" O="$o" "${KCC[@]}" olddefconfig >/dev/null
	# A tristate symbol that olddefconfig turned back into y/n means the Kconfig
	# does not allow what was asked: say so rather than build something else.
	if [ -n "$sym" ]; then
		want=$([ "$kind" = module ] && echo m || echo y)
		grep -qx "CONFIG_$sym=$want" "$o/.config" || { echo "kernel-series-build: CONFIG_$sym=$want is not possible in this tree's Kconfig" >&2; exit 4; }
	fi
	if [ "$kind" = nouffd ] && grep -qx 'CONFIG_USERFAULTFD=y' "$o/.config"; then
		echo "kernel-series-build: CONFIG_USERFAULTFD cannot be turned off" >&2
		exit 4
	fi
	make -s -C "$src" O="$o" "${KCC[@]}" -j"$jobs" modules_prepare
	;;
objects)
	src=${2:?SRC} o=${3:?O}
	shift 3
	[ $# -gt 0 ] || exit 0
	kbuild_ccache "$(dirname "$o")"
	make -s -k -C "$src" O="$o" "${KCC[@]}" -j"$jobs" W=1 "$@"
	;;
modpost)
	o=${2:?O} symvers=${3:?SYMVERS}
	shift 3
	printf '%s\n' "$@" >"$o/uffdkit-modules.order"
	cd "$o"
	modflags=(-M)
	grep -qx 'CONFIG_MODVERSIONS=y' .config && modflags+=(-m)
	./scripts/mod/modpost "${modflags[@]}" -E -W -i "$symvers" -T uffdkit-modules.order -o uffdkit-modules.symvers
	;;
*)
	echo "usage: $0 prepare SRC O KIND [SYM] | objects SRC O OBJ... | modpost O SYMVERS MODULE.o..." >&2
	exit 2
	;;
esac
