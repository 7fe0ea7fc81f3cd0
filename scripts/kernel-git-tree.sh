#!/usr/bin/env bash
# A git tree made from Debian's linux-source-6.12, as a developer would make one
# to try `uffdkit series` on.
#
#   scripts/kernel-git-tree.sh DEST     extract the tarball into DEST, make it a git
#                                       repository with one commit (idempotent: a DEST
#                                       that is already such a tree is left alone)
#
# Debian's top-level .gitignore ends with a "Debian packaging" stanza ("/*" then
# "!/debian/") that ignores every top-level entry, so a plain `git init && git add -A`
# adds nothing. The stanza is cut off first; the commit records that change.
# The commit's identity is fixed (uffdkit <uffdkit@localhost>) unless GIT_AUTHOR_*/
# GIT_COMMITTER_* are set, so the base is the same on every machine.
set -euo pipefail
dest=${1:?usage: $0 DEST}
tarball=/usr/src/linux-source-6.12.tar.xz
ready=.git/uffdkit-git-tree

if [ -f "$dest/$ready" ]; then
	echo "$dest"
	exit 0
fi
[ -f "$tarball" ] || { echo "kernel-git-tree: $tarball missing; run: scripts/kernel-src.sh install" >&2; exit 1; }
# One maker at a time (test files run in parallel); the second finds the tree ready.
mkdir -p "$(dirname "$dest")"
exec 9>"$dest.lock"
flock 9
if [ -f "$dest/$ready" ]; then
	echo "$dest"
	exit 0
fi
if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
	echo "kernel-git-tree: $dest exists and is not a tree this script made; remove it or pick another DEST" >&2
	exit 1
fi
mkdir -p "$dest"
tar -C "$dest" --strip-components=1 -xJf "$tarball"

# Cut Debian's packaging stanza (from its comment block to the end of the file).
gi="$dest/.gitignore"
if grep -qx '/\*' "$gi"; then
	line=$(grep -n 'Debian packaging' "$gi" | head -1 | cut -d: -f1)
	if [ -n "$line" ]; then
		# The stanza's comment block starts on the "#" line just above.
		head -n $((line - 2)) "$gi" >"$gi.new"
	else
		grep -vx -e '/\*' -e '!/debian/' "$gi" >"$gi.new"
	fi
	mv "$gi.new" "$gi"
fi

export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-uffdkit} GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-uffdkit@localhost}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-uffdkit} GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-uffdkit@localhost}
export GIT_AUTHOR_DATE=${GIT_AUTHOR_DATE:-2024-11-17T00:00:00Z} GIT_COMMITTER_DATE=${GIT_COMMITTER_DATE:-2024-11-17T00:00:00Z}
git -C "$dest" init -q -b master
# No automatic gc: after the first commit's ~86k loose objects, git would start repacking them
# in the background (minutes of compression on two cores, beside the tests that use the tree).
git -C "$dest" config gc.auto 0
git -C "$dest" add -A
git -C "$dest" commit -q -m "Linux 6.12 (Debian linux-source-6.12)" \
	-m "Debian's top-level .gitignore stanza that ignores every top-level entry is removed, so the tree can be tracked."
[ "$(git -C "$dest" ls-files | wc -l)" -gt 50000 ] || { echo "kernel-git-tree: too few files committed in $dest" >&2; exit 1; }
touch "$dest/$ready"
echo "$dest"
