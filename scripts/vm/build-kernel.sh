#!/usr/bin/env bash
# Build a bzImage for uffdkit's VM runs out of a kernel source tree, in an O=
# directory (the source tree is only read), through ccache, at -j2.
#
#   scripts/vm/build-kernel.sh SRC OUT [FRAGMENT...]
#
# The first run writes OUT/.config from tinyconfig plus base.config plus the
# fragments; later runs reuse OUT (and ccache), so make rebuilds only what
# changed. A changed fragment list re-runs the configuration.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$1" && pwd)
out=$2
shift 2
mkdir -p "$out"
out=$(cd "$out" && pwd)
# One make per O= directory at a time (two conform runs, or a test beside a run).
exec 9>"$out/.uffdkit-lock"
flock 9
cc="gcc"
if command -v ccache >/dev/null && [ "${UFFDKIT_CCACHE:-1}" != 0 ]; then
	cc="ccache gcc"
	# Paths relative to the directory holding both trees, so that two
	# workspaces laid out alike (src/ beside o/) share cache entries.
	export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$out")}
fi
jobs=${UFFDKIT_VM_JOBS:-2}
frags=("$here/base.config" "$@")
want=$(cat "${frags[@]}" | sha256sum | cut -c1-16)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.uffdkit-fragments" 2>/dev/null)" != "$want" ]; then
	echo "build-kernel: configuring $out (tinyconfig + ${#frags[@]} fragment(s))" >&2
	make -s -C "$src" O="$out" CC="$cc" tinyconfig >/dev/null
	cat "${frags[@]}" >>"$out/.config"
	make -s -C "$src" O="$out" CC="$cc" olddefconfig 2>&1 | { grep -v "warning: override" >&2 || true; }
	# Every option base.config asks for must have survived olddefconfig; a
	# later fragment's dropped option (a symbol this tree lacks) is reported.
	dropped() { grep -h '^CONFIG_.*=y' "$@" | while read -r l; do grep -qx "$l" "$out/.config" || echo "$l"; done; }
	missing=$(dropped "$here/base.config")
	if [ -n "$missing" ]; then echo "build-kernel: options dropped by Kconfig:" $missing >&2; exit 1; fi
	if [ $# -gt 0 ]; then
		extra=$(dropped "$@")
		[ -z "$extra" ] || echo "build-kernel: note: not in this tree's Kconfig (dropped):" $extra >&2
	fi
	echo "$want" >"$out/.uffdkit-fragments"
fi
echo "build-kernel: make -j$jobs bzImage in $out" >&2
make -s -C "$src" O="$out" CC="$cc" -j"$jobs" bzImage
echo "$out/arch/x86/boot/bzImage"
