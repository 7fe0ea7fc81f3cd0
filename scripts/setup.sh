#!/usr/bin/env bash
# Everything a fresh clone needs before uffdkit runs: system packages (as root),
# node modules from the lock file, the build, and the extracted kernel source.
# Idempotent: a second run does only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f /usr/src/linux-source-6.12.tar.xz ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "setup: installing linux-source-6.12 and build tools (apt)" >&2
		scripts/kernel-src.sh install
	else
		echo "setup: linux-source-6.12 is not installed and this is not root;" \
			"compile checks, checkpatch and selftest builds will be skipped" >&2
	fi
fi

# clang-16 and wasm-ld-16 compile the emitted kernel C for the simulator (src/run/c).
if ! command -v clang-16 >/dev/null 2>&1 || ! command -v wasm-ld-16 >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		echo "setup: installing clang-16 and lld-16 (apt)" >&2
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-16 lld-16 >/dev/null
	else
		echo "setup: clang-16/lld-16 are not installed and this is not root;" \
			"the simulator cannot run a declared type's C" >&2
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
