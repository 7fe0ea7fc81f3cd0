#!/usr/bin/env bash
# Debian's linux-source-6.12, extracted once into .cache/ for the compile checks,
# the kselftest headers, checkpatch.pl and get_maintainer.pl.
#
#   scripts/kernel-src.sh install   apt-get the package (root; CI does this)
#   scripts/kernel-src.sh extract   unpack the tarball into $UFFDKIT_KSRC (idempotent)
#   scripts/kernel-src.sh path      print the tree's path, exit 1 if it is not there
#
# UFFDKIT_KSRC overrides the location (default: <repo>/.cache/linux-source-6.12).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ksrc=${UFFDKIT_KSRC:-$here/.cache/linux-source-6.12}
tarball=/usr/src/linux-source-6.12.tar.xz

case "${1:-path}" in
install)
	if [ ! -f "$tarball" ]; then
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			linux-source-6.12 gcc make libc6-dev flex bison bc libelf-dev libssl-dev xz-utils >/dev/null
	fi
	;;
extract)
	if [ -f "$ksrc/Makefile" ] && [ -f "$ksrc/.uffdkit-extracted" ]; then
		echo "$ksrc"
		exit 0
	fi
	[ -f "$tarball" ] || { echo "kernel-src: $tarball missing; run: $0 install" >&2; exit 1; }
	mkdir -p "$(dirname "$ksrc")"
	# One extractor at a time (test files start in parallel): the second waits, then finds the marker.
	exec 9>"$ksrc.lock"
	flock 9
	if [ -f "$ksrc/Makefile" ] && [ -f "$ksrc/.uffdkit-extracted" ]; then
		echo "$ksrc"
		exit 0
	fi
	tmp=$(mktemp -d "$(dirname "$ksrc")/extract.XXXXXX")
	tar -C "$tmp" -xJf "$tarball"
	rm -rf "$ksrc"
	mv "$tmp/linux-source-6.12" "$ksrc"
	rmdir "$tmp"
	touch "$ksrc/.uffdkit-extracted"
	echo "$ksrc"
	;;
path)
	[ -f "$ksrc/.uffdkit-extracted" ] || exit 1
	echo "$ksrc"
	;;
*)
	echo "usage: $0 install|extract|path" >&2
	exit 2
	;;
esac
