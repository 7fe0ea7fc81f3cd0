#!/usr/bin/env bash
# What `conform --vm` and `series --build --boot` need on a fresh Debian machine:
# QEMU, a static busybox for the guest's initramfs, a static libc for the
# selftests, xz/zstd for distribution modules, ccache and the kernel build
# tools for built kernels. Idempotent: installs only what is missing.
#
#   scripts/vm-setup.sh          install (root; CI does this)
#   scripts/vm-setup.sh check    exit 1, naming what is missing
set -euo pipefail

need_cmds=(qemu-system-x86_64:qemu-system-x86 busybox:busybox-static xz:xz-utils zstd:zstd ccache:ccache gcc:gcc make:make flex:flex bison:bison bc:bc)
missing=()
for pair in "${need_cmds[@]}"; do
	cmd=${pair%%:*}
	pkg=${pair#*:}
	command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
# busybox must be the static one (the guest has no libc), and gcc -static needs libc.a.
{ [ -x /bin/busybox ] && { ldd /bin/busybox 2>&1 || true; } | grep -q 'not a dynamic'; } || missing+=(busybox-static)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
[ -f /usr/include/libelf.h ] || missing+=(libelf-dev)
[ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
readarray -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')

if [ "${1:-install}" = check ]; then
	if [ ${#missing[@]} -gt 0 ]; then echo "vm-setup: missing: ${missing[*]}" >&2; exit 1; fi
	exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "vm-setup: installing ${missing[*]} (apt-get; about 2 minutes on a fresh machine)" >&2
	t0=$(date +%s)
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	echo "vm-setup: installed in $(( $(date +%s) - t0 )) s" >&2
else
	echo "vm-setup: everything is installed" >&2
fi
