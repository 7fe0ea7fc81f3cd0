#!/usr/bin/env bash
# Everything a fresh clone needs before uffdkit runs: system packages (as root),
# node modules from the lock file, the build, and the extracted kernel source.
# Idempotent: a second run does only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the project's own tests need, installed in one apt-get run (as root):
#   linux-source-6.12 and kbuild's tools  checkpatch.pl, kselftest headers, compile checks, series builds
#   clang-16, lld-16                      the system C toolchain (the pack test also runs without it,
#                                         on @yowasp/clang from npm)
#   ccache                                kernel builds: a second run recompiles only what changed
#   python3                               the doctor test's independent KVM ioctl
# A user of the package needs none of these for gen (`uffdkit doctor` says what each command needs).
want=()
[ -f /usr/src/linux-source-6.12.tar.xz ] || want+=(linux-source-6.12 gcc make libc6-dev flex bison bc libelf-dev libssl-dev xz-utils)
command -v clang-16 >/dev/null 2>&1 && command -v wasm-ld-16 >/dev/null 2>&1 || want+=(clang-16 lld-16)
command -v ccache >/dev/null 2>&1 || want+=(ccache)
command -v python3 >/dev/null 2>&1 || want+=(python3)
if [ ${#want[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "setup: installing ${want[*]} (apt)" >&2
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
	else
		echo "setup: missing ${want[*]} and this is not root; the tests that need them will fail" >&2
	fi
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.uffdkit-lock-hash ] || [ "$(cat node_modules/.uffdkit-lock-hash)" != "$lock_hash" ]; then
	echo "setup: npm ci" >&2
	npm ci --no-audit --no-fund --loglevel=error
	echo "$lock_hash" > node_modules/.uffdkit-lock-hash
fi

echo "setup: build" >&2
npm run --silent build

if [ -f /usr/src/linux-source-6.12.tar.xz ]; then
	scripts/kernel-src.sh extract >/dev/null
fi
