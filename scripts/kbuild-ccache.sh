# Sourced by the kernel build scripts (kernel-build.sh, kernel-series-build.sh,
# src/run/kernel/kvm-selftest.ts through `bash -c`): route kbuild's compiles
# through ccache where the user has it, so a second build of the same sources
# and configuration (another O= directory, another run, another clone) compiles
# only what a patch changed.
#
#   kbuild_ccache BASEDIR    sets the array KCC to the make variables to pass
#                            (empty without ccache, or with UFFDKIT_CCACHE=0)
#
# Keyed by content, not by place: CCACHE_BASEDIR makes the absolute paths kbuild
# passes (O= builds give -I$(abs_srctree)/...) relative, and the directory is
# left out of the hash (no debug info is built: defconfig has no DEBUG_INFO).
# The checkout of a patch rewrites files, so their times are not compared.
# CCACHE_DIR and the size limit stay the user's (ccache's own defaults).
kbuild_ccache() {
	KCC=()
	[ "${UFFDKIT_CCACHE:-1}" != 0 ] || return 0
	command -v ccache >/dev/null 2>&1 || return 0
	export CCACHE_BASEDIR=$1 CCACHE_NOHASHDIR=1
	export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-include_file_mtime,include_file_ctime,time_macros}
	KCC=("CC=ccache ${UFFDKIT_KCC:-gcc}" "HOSTCC=ccache gcc")
}
