/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uffdkit_runtime.h - the runtime of uffdkit's generated userfaultfd selftests
 *
 * The same file for every generated suite: it maps the memory of a scenario,
 * runs touches in worker threads and prints one observation line per step.
 * Nothing here may block without a bound: a touch that faults into a
 * userfaultfd is left blocked after UK_BLOCK_MS, every wait and every event
 * read is bounded, and closing the userfaultfds at the end of a test releases
 * whatever is still blocked.
 *
 * A suite's <name>_uffd_common.h passes in what varies and includes this:
 *   UK_BLOCK_MS, UK_WAIT_MS, UK_EVENT_MS  the bounds, in milliseconds
 *   UK_MAX_THREADS                        worker threads a test may start
 *   UK_HPAGE_SIZE                         the huge page size of a hugetlb test
 *   uk_errnames, uk_ioctl_names,          the names an observation line uses:
 *   uk_flag_names                         errno values, range ioctl bits (in
 *                                         bit order), fault flag masks (in the
 *                                         order of an event line)
 *   UK_KVM_UTIL                           defined when kvm_util.h is included
 */
#ifndef UFFDKIT_RUNTIME_H
#define UFFDKIT_RUNTIME_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <linux/falloc.h>

#include "uffdkit_compat.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#if !defined(UK_BLOCK_MS) || !defined(UK_WAIT_MS) || \
	!defined(UK_EVENT_MS) || !defined(UK_MAX_THREADS) || \
	!defined(UK_HPAGE_SIZE) || !defined(UK_NAMES)
#error "include the suite's <name>_uffd_common.h, which defines the UK_ values"
#endif

#define UK_MAX_CTX	4
#define UK_IOC(x)	_BITULL(_UFFDIO_##x)
/*
 * Result fields are preset to this before each ioctl, so a field the kernel
 * leaves untouched is told apart from a written 0.
 */
#define UK_UNTOUCHED	0x5a5a5a5a5a5a5a5aLL

enum uk_kind { UK_ANON, UK_SHMEM, UK_SHMEM_ANON, UK_HUGETLB, UK_GMEM,
	       UK_CHARDEV, UK_SYSCALL, UK_FILE };
enum uk_outcome { UK_RUNNING, UK_DONE, UK_SIGBUS, UK_BLOCKED, UK_SIGSEGV };
enum uk_job { UK_READ, UK_WRITE, UK_MADVISE, UK_PUNCH, UK_SYS_READ,
	      UK_SYS_WRITE, UK_MUNMAP, UK_COPY, UK_MREMAP, UK_FORK };
enum uk_via { UK_VIA_PWRITE, UK_VIA_WRITE, UK_VIA_ALIAS };
enum uk_ev { UK_EV_NONE, UK_EV_PAGEFAULT, UK_EV_REMOVE, UK_EV_UNMAP,
	     UK_EV_REMAP, UK_EV_FORK, UK_EV_OTHER, UK_EV_ERROR };

struct uk_setup {
	enum uk_kind kind;
	const char *path;	/* UK_CHARDEV: device node; UK_FILE: dir */
	const char *sys_name;	/* UK_SYSCALL: the call making the object */
	long sys_nr;		/* UK_SYSCALL: its number */
	const long *sys_args;	/* UK_SYSCALL: its six arguments */
	unsigned long fs_magic;	/* UK_FILE: the type's statfs f_type, or 0 */
	const char *what;	/* the object, as a skip reason names it */
	unsigned long long probe_modes;	/* registration the test needs */
	int probe_mmap;		/* UK_GMEM: the test maps the guest_memfd */
	long pages;
	int shared;
	int readonly;
	int alias;
	long src_pages;
	int contexts;
	int user_mode_only;
	unsigned long long gmem_flags;
	long next_pages;	/* a second mapping right after the primary */
	long next_gap;		/* pages of hole between the two */
	int next_shmem;
	int next_prot;
	int next_droppable;
};

struct uk_thread {
	const char *name;
	pthread_t handle;
	int started;
	int outcome;		/* enum uk_outcome, accessed atomically */
	pid_t tid;		/* set by the thread, matched against ptid */
	enum uk_job job;
	char *addr;
	size_t len;
	int value;		/* byte written, advice, or fd to punch */
	off_t off;		/* offset to punch */
	int result;		/* byte read (-1: not uniform), or -errno */
	int uffd;		/* UK_COPY: the ioctl's userfaultfd, source, */
	char *src;		/* mode and result field */
	unsigned long long mode;
	long long field;
};

struct uk_env {
	struct uk_setup s;
	size_t psize;
	size_t len;
	int fd;			/* memfd, guest_memfd or device; -1 for anon */
	int next_fd;		/* the second mapping's memfd, or -1 */
	int kvm_fd;
	int vm_fd;
#ifdef UK_KVM_UTIL
	struct kvm_vm *vm;
#endif
	char *area;
	char *alias;
	char *src;
	int uffd[UK_MAX_CTX];
	int nctx;		/* contexts open, FORK events' fds included */
	unsigned long long features[UK_MAX_CTX];
	int fork_slot;		/* the worker that forked, or -1 */
	int child_pipe[2];	/* the child reports its read here */
	/* The masks the last UFFDIO_API wrote back. */
	unsigned long long api_features;
	unsigned long long api_ioctls;
	struct uk_thread thr[UK_MAX_THREADS];
	char setup_err[128];
};

struct uk_event {
	enum uk_ev kind;
	int err;		/* UK_EV_ERROR: the errno read() failed with */
	long page;
	long offset;		/* of the fault address within its page */
	long pages;
	unsigned long long flags;
	const char *thread;
};

static __thread sigjmp_buf uk_jmp;
static __thread sig_atomic_t uk_jmp_armed;
static __thread sig_atomic_t uk_jmp_sig;

/*
 * The SIGBUS handler runs on the thread that set the flag: compiler fences
 * (no CPU barrier is needed) keep the flag ordered against the touches.
 */
static inline void uk_arm(int armed)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&uk_jmp_armed, armed, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline const char *uk_errname(int err, char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(uk_errnames); i++)
		if (uk_errnames[i].value == (unsigned long long)err)
			return uk_errnames[i].name;
	snprintf(buf, n, "E%d", err);
	return buf;
}

/*
 * A SIGBUS or SIGSEGV in a thread that armed uk_jmp is an observation, not a
 * crash (SIGSEGV: the page was unmapped by a munmap step).
 */
static inline void uk_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (__atomic_load_n(&uk_jmp_armed, __ATOMIC_RELAXED)) {
		uk_arm(0);
		uk_jmp_sig = sig;
		siglongjmp(uk_jmp, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static inline void uk_step(int n, const char *op, const char *fmt, ...)
{
	va_list ap;

	printf("# uffdkit: step %d %s: ", n, op);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline const char *uk_status(int ret, char *buf, size_t n)
{
	char name[16];

	if (ret == 0)
		return "ok";
	snprintf(buf, n, "errno=%s", uk_errname(-ret, name, sizeof(name)));
	return buf;
}

static inline void uk_obs_ret(int n, const char *op, int ret)
{
	char buf[32];

	uk_step(n, op, "%s", uk_status(ret, buf, sizeof(buf)));
}

static inline void uk_obs_field(int n, const char *op, int ret,
				const char *field, long long val)
{
	const char *status;
	char buf[32];

	status = uk_status(ret, buf, sizeof(buf));
	if (val == UK_UNTOUCHED)
		uk_step(n, op, "%s %s=untouched", status, field);
	else
		uk_step(n, op, "%s %s=%lld", status, field, val);
}

static inline void uk_obs_api(int n, int ret, unsigned long long features,
			      unsigned long long ioctls)
{
	char buf[32];

	uk_step(n, "api", "%s features=0x%llx ioctls=0x%llx",
		uk_status(ret, buf, sizeof(buf)), features, ioctls);
}

static inline void uk_obs_value(int n, const char *op, int ret, long long val)
{
	if (ret)
		uk_obs_ret(n, op, ret);
	else
		uk_step(n, op, "ok value=%lld", val);
}

static inline void uk_obs_register(int n, int ret, unsigned long long ioctls)
{
	char list[128] = "";
	char buf[32];
	size_t i;

	if (ret) {
		uk_obs_ret(n, "register", ret);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(uk_ioctl_names); i++) {
		if (!(ioctls & (1ULL << uk_ioctl_names[i].value)))
			continue;
		if (list[0])
			strcat(list, ",");
		strcat(list, uk_ioctl_names[i].name);
	}
	uk_step(n, "register", "%s ioctls=%s",
		uk_status(ret, buf, sizeof(buf)), list[0] ? list : "0");
}

static inline long uk_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static inline int uk_open_uffd(int user_mode_only)
{
	int flags = O_CLOEXEC | O_NONBLOCK;
	int fd, dev;

	if (user_mode_only)
		flags |= UFFD_USER_MODE_ONLY;
	fd = syscall(__NR_userfaultfd, flags);
	if (fd >= 0)
		return fd;
	dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -1;
	fd = ioctl(dev, USERFAULTFD_IOC_NEW, flags);
	close(dev);
	return fd;
}

/*
 * A read-only mapping of a file maps an O_RDONLY descriptor, so that the vma
 * lacks VM_MAYWRITE as it would for a file the process may not write.
 */
static inline void *uk_map(struct uk_env *e, int fd, int shared, void *at)
{
	int prot = PROT_READ | (e->s.readonly ? 0 : PROT_WRITE);
	int flags = shared ? MAP_SHARED : MAP_PRIVATE;
	char path[64];
	void *p;
	int ro;

	if (fd < 0)
		flags |= MAP_ANONYMOUS;
	if (at)
		flags |= MAP_FIXED;
	if (!e->s.readonly || fd < 0)
		return mmap(at, e->len, prot, flags, fd, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro < 0)
		return MAP_FAILED;
	p = mmap(at, e->len, prot, flags, ro, 0);
	close(ro);
	return p;
}

static inline int uk_fail(struct uk_env *e, const char *what)
{
	char name[16];

	snprintf(e->setup_err, sizeof(e->setup_err), "errno=%s (%s)",
		 uk_errname(errno, name, sizeof(name)), what);
	return -errno;
}

#ifdef UK_KVM_UTIL
/*
 * Built in tools/testing/selftests/kvm: a barebones VM and its guest_memfd
 * through kvm_util, as guest_memfd_test does.
 */
static inline int uk_create_gmem(struct uk_env *e)
{
	e->vm = vm_create_barebones();
	e->vm_fd = e->vm->fd;
	e->fd = __vm_create_guest_memfd(e->vm, e->len, e->s.gmem_flags);
	if (e->fd < 0)
		return uk_fail(e, "KVM_CREATE_GUEST_MEMFD");
	return 0;
}

static inline int uk_kvm_cap(long cap)
{
	return kvm_check_cap(cap);
}
#else
static inline int uk_create_gmem(struct uk_env *e)
{
	struct kvm_create_guest_memfd gmem = {
		.size = e->len,
		.flags = e->s.gmem_flags,
	};

	e->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (e->kvm_fd < 0)
		return uk_fail(e, "open /dev/kvm");
	e->vm_fd = ioctl(e->kvm_fd, KVM_CREATE_VM, 0);
	if (e->vm_fd < 0)
		return uk_fail(e, "KVM_CREATE_VM");
	e->fd = ioctl(e->vm_fd, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (e->fd < 0)
		return uk_fail(e, "KVM_CREATE_GUEST_MEMFD");
	return 0;
}

static inline int uk_kvm_cap(long cap)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int ret;

	if (kvm < 0)
		return 0;
	ret = ioctl(kvm, KVM_CHECK_EXTENSION, cap);
	close(kvm);
	return ret < 0 ? 0 : ret;
}
#endif

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif

/*
 * Reserve room for the primary area, the hole and the second mapping, so the
 * two are placed exactly (MAP_FIXED) with the hole left unmapped.
 */
static inline char *uk_reserve(struct uk_env *e)
{
	size_t all = (e->s.pages + e->s.next_gap + e->s.next_pages) * e->psize;
	char *p = mmap(NULL, all, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (e->s.next_gap)
		munmap(p + e->len, e->s.next_gap * e->psize);
	return p;
}

static inline int uk_map_next(struct uk_env *e)
{
	char *at = e->area + (e->s.pages + e->s.next_gap) * e->psize;
	size_t len = e->s.next_pages * e->psize;
	int flags = MAP_FIXED;
	void *p;

	if (e->s.next_shmem) {
		e->next_fd = memfd_create("uffdkit-next", MFD_CLOEXEC);
		if (e->next_fd < 0 || ftruncate(e->next_fd, len))
			return uk_fail(e, "memfd_create next");
		flags |= MAP_SHARED;
	} else {
		flags |= MAP_ANONYMOUS |
			 (e->s.next_droppable ? MAP_DROPPABLE : MAP_PRIVATE);
	}
	p = mmap(at, len, e->s.next_prot, flags, e->next_fd, 0);
	return p == MAP_FAILED ? uk_fail(e, "mmap next") : 0;
}

/*
 * uk_make_object() - an object made by a system call, or a file created in a
 * directory on the type's filesystem, as the spec declares it; sized to the
 * area. A file on another filesystem is refused: it would test that one.
 */
static inline int uk_make_object(struct uk_env *e)
{
	const struct uk_setup *s = &e->s;
	char file[256];
	struct statfs sfs;

	static const long none[6];
	const long *a = s->sys_args ? s->sys_args : none;
	unsigned long type;

	if (s->kind == UK_SYSCALL) {
		e->fd = syscall(s->sys_nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (e->fd < 0)
			return uk_fail(e, s->sys_name);
		goto size;
	}
	snprintf(file, sizeof(file), "%.200s/uffdkit-XXXXXX", s->path);
	e->fd = mkstemp(file);
	if (e->fd < 0)
		return uk_fail(e, s->path);
	unlink(file);
	type = fstatfs(e->fd, &sfs) ? 0 : (unsigned long)sfs.f_type;
	if (s->fs_magic && type != s->fs_magic) {
		snprintf(e->setup_err, sizeof(e->setup_err),
			 "%.64s: f_type 0x%lx, not the type's fs",
			 s->path, type);
		errno = EXDEV;
		return -EXDEV;
	}
size:
	if (ftruncate(e->fd, e->len))
		return uk_fail(e, "ftruncate");
	return 0;
}

/*
 * uk_setup() - map the primary area (and alias and MOVE source) of a kind.
 * Returns 0, or -errno with e->setup_err saying which call failed; a failed
 * mmap of the primary area is what guest_memfd flag scenarios check.
 */
static inline int uk_setup(struct uk_env *e, const struct uk_setup *s)
{
	struct sigaction sa = { .sa_sigaction = uk_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	int i, shared = s->shared;
	char *at;

	memset(e, 0, sizeof(*e));
	e->s = *s;
	e->fd = -1;
	e->next_fd = -1;
	e->fork_slot = -1;
	e->child_pipe[0] = -1;
	e->child_pipe[1] = -1;
	e->kvm_fd = -1;
	e->vm_fd = -1;
	for (i = 0; i < UK_MAX_CTX; i++)
		e->uffd[i] = -1;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	e->psize = s->kind == UK_HUGETLB ? UK_HPAGE_SIZE :
					   (size_t)getpagesize();
	e->len = e->psize * s->pages;
	e->nctx = s->contexts ? s->contexts : 1;
	for (i = 0; i < e->nctx; i++) {
		e->uffd[i] = uk_open_uffd(s->user_mode_only);
		if (e->uffd[i] < 0)
			return uk_fail(e, "userfaultfd");
	}

	switch (s->kind) {
	case UK_ANON:
		break;
	case UK_SHMEM_ANON:
		shared = 1;
		break;
	case UK_SHMEM:
	case UK_HUGETLB:
		e->fd = memfd_create("uffdkit", MFD_CLOEXEC |
			(s->kind == UK_HUGETLB ? MFD_HUGETLB : 0));
		if (e->fd < 0)
			return uk_fail(e, "memfd_create");
		if (ftruncate(e->fd, e->len))
			return uk_fail(e, "ftruncate");
		break;
	case UK_GMEM:
		if (uk_create_gmem(e))
			return -errno;
		break;
	case UK_CHARDEV:
		e->fd = open(s->path, O_RDWR | O_CLOEXEC);
		if (e->fd < 0)
			return uk_fail(e, s->path);
		break;
	case UK_SYSCALL:
	case UK_FILE:
		if (uk_make_object(e))
			return -errno;
		break;
	}
	at = s->next_pages ? uk_reserve(e) : NULL;
	if (s->next_pages && !at)
		return uk_fail(e, "mmap reserve");
	e->area = uk_map(e, e->fd, shared, at);
	if (e->area == MAP_FAILED) {
		e->area = NULL;
		return uk_fail(e, "mmap");
	}
	if (s->next_pages && uk_map_next(e))
		return -errno;
	if (s->alias) {
		if (e->fd >= 0)
			e->alias = uk_map(e, e->fd, 1, NULL);
		else
			e->alias = mremap(e->area, 0, e->len, MREMAP_MAYMOVE);
		if (e->alias == MAP_FAILED) {
			e->alias = NULL;
			return uk_fail(e, "mmap alias");
		}
	}
	if (s->src_pages) {
		e->src = mmap(NULL, s->src_pages * e->psize,
			      PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (e->src == MAP_FAILED) {
			e->src = NULL;
			return uk_fail(e, "mmap MOVE source");
		}
	}
	return 0;
}

/* Unmap and close what uk_setup() made (the feature probe's object). */
static inline void uk_release(struct uk_env *e)
{
	int i;

	if (e->area)
		munmap(e->area, e->len);
	for (i = 0; i < UK_MAX_CTX; i++)
		if (e->uffd[i] >= 0)
			close(e->uffd[i]);
	if (e->fd >= 0)
		close(e->fd);
#ifdef UK_KVM_UTIL
	if (e->vm)
		kvm_vm_free(e->vm);
#else
	if (e->vm_fd >= 0)
		close(e->vm_fd);
	if (e->kvm_fd >= 0)
		close(e->kvm_fd);
#endif
}

/* What a guest_memfd test needs from KVM, or NULL. */
static inline const char *uk_lacks_gmem(const struct uk_setup *s)
{
	if (access("/dev/kvm", R_OK | W_OK))
		return "access(/dev/kvm) failed: no /dev/kvm";
	if (!uk_kvm_cap(KVM_CAP_GUEST_MEMFD))
		return "KVM_CHECK_EXTENSION(KVM_CAP_GUEST_MEMFD) returned 0";
	if (s->probe_mmap &&
	    !(uk_kvm_cap(KVM_CAP_GUEST_MEMFD_FLAGS) & GUEST_MEMFD_FLAG_MMAP))
		return "KVM_CAP_GUEST_MEMFD_FLAGS lacks GUEST_MEMFD_FLAG_MMAP";
	return NULL;
}

/* The UFFDIO_API features that say a kind supports the registration modes. */
static inline unsigned long long uk_mode_features(enum uk_kind kind,
						  unsigned long long modes)
{
	int file = kind == UK_SHMEM || kind == UK_SHMEM_ANON;
	unsigned long long f = 0;

	if ((modes & UFFDIO_REGISTER_MODE_MINOR) && file)
		f |= UFFD_FEATURE_MINOR_SHMEM;
	if ((modes & UFFDIO_REGISTER_MODE_MINOR) && kind == UK_HUGETLB)
		f |= UFFD_FEATURE_MINOR_HUGETLBFS;
	if ((modes & UFFDIO_REGISTER_MODE_WP) && (file || kind == UK_HUGETLB))
		f |= UFFD_FEATURE_WP_HUGETLBFS_SHMEM;
	return f;
}

/*
 * uk_lacks() - why this kernel cannot run a test on the object, or NULL.
 * Skip by feature, as uffd-unit-tests does: the object's kind (no /dev/kvm,
 * no guest_memfd, no device node), the UFFDIO_API features that announce the
 * kind's modes, then the userfaultfd registration the test needs, tried on a
 * one-page object of the same kind.
 */
static inline const char *uk_lacks(const struct uk_setup *s, char *why,
				   size_t n)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct uk_setup one = *s;
	unsigned long long lack = 0;
	struct uk_env e;
	char name[16];
	int ret;

	if (s->kind == UK_GMEM && uk_lacks_gmem(s))
		return uk_lacks_gmem(s);
	if (s->kind == UK_CHARDEV && access(s->path, R_OK | W_OK)) {
		snprintf(why, n, "access(%.128s) returned %s", s->path,
			 uk_errname(errno, name, sizeof(name)));
		return why;
	}
	if (!s->probe_modes)
		return NULL;
	one.pages = 1;
	one.readonly = 0;
	one.alias = 0;
	one.src_pages = 0;
	one.contexts = 1;
	one.user_mode_only = 0;
	one.next_pages = 0;
	ret = uk_setup(&e, &one);
	if (!ret && ioctl(e.uffd[0], UFFDIO_API, &api))
		ret = uk_fail(&e, "UFFDIO_API");
	if (!ret)
		lack = uk_mode_features(s->kind, s->probe_modes) &
		       ~api.features;
	if (lack) {
		uk_release(&e);
		snprintf(why, n,
			 "UFFDIO_API did not report features 0x%llx (%.64s)",
			 lack, s->what);
		return why;
	}
	if (!ret) {
		reg.range.start = (unsigned long)e.area;
		reg.range.len = e.len;
		reg.mode = s->probe_modes;
		if (ioctl(e.uffd[0], UFFDIO_REGISTER, &reg))
			ret = uk_fail(&e, "UFFDIO_REGISTER");
	}
	uk_release(&e);
	if (ret == -EINVAL && strstr(e.setup_err, "UFFDIO_REGISTER")) {
		snprintf(why, n, "UFFDIO_REGISTER on %.64s returned EINVAL",
			 s->what);
		return why;
	}
	if (ret) {
		snprintf(why, n, "making %.64s failed: %s", s->what,
			 e.setup_err);
		return why;
	}
	return NULL;
}

static inline void uk_obs_setup(struct uk_env *e, int ret)
{
	printf("# uffdkit: setup: %s\n", ret ? e->setup_err : "ok");
	fflush(stdout);
}

static inline int uk_settle(struct uk_thread *t, long ms);

/*
 * Close every userfaultfd: this wakes any thread still blocked in a fault
 * (and a fork() waiting for its event); then end a forked child.
 */
static inline void uk_teardown(struct uk_env *e)
{
	pid_t child;
	int i;

	for (i = 0; i < UK_MAX_CTX; i++)
		if (e->uffd[i] >= 0)
			close(e->uffd[i]);
	for (i = 0; i < UK_MAX_CTX; i++)
		e->uffd[i] = -1;
	if (e->fork_slot < 0)
		return;
	uk_settle(&e->thr[e->fork_slot], UK_WAIT_MS);
	child = (pid_t)e->thr[e->fork_slot].field;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	close(e->child_pipe[0]);
	close(e->child_pipe[1]);
}

static inline char *uk_addr(struct uk_env *e, long page, long off)
{
	return e->area + page * e->psize + off;
}

static inline size_t uk_len(struct uk_env *e, long pages, long len_bytes)
{
	return len_bytes >= 0 ? (size_t)len_bytes : pages * e->psize;
}

static inline int uk_api(struct uk_env *e, int ctx,
			 unsigned long long features, int bad_api)
{
	struct uffdio_api api = {
		.api = bad_api ? UFFD_API + 1 : UFFD_API,
		.features = features,
	};

	int ret = ioctl(e->uffd[ctx], UFFDIO_API, &api) ? -errno : 0;

	e->api_features = api.features;
	e->api_ioctls = api.ioctls;
	if (!ret)
		e->features[ctx] = features;
	return ret;
}

static inline int uk_register(struct uk_env *e, int ctx, char *start,
			      size_t len, unsigned long long mode,
			      unsigned long long *ioctls)
{
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)start, .len = len },
		.mode = mode,
	};

	*ioctls = 0;
	if (ioctl(e->uffd[ctx], UFFDIO_REGISTER, &reg))
		return -errno;
	*ioctls = reg.ioctls;
	return 0;
}

static inline int uk_range_ioctl(struct uk_env *e, int ctx, unsigned long req,
				 char *start, size_t len)
{
	struct uffdio_range range = {
		.start = (unsigned long)start,
		.len = len,
	};

	return ioctl(e->uffd[ctx], req, &range) ? -errno : 0;
}

/* Fill a source buffer: one byte per page, or the page-index pattern. */
static inline char *uk_fill(struct uk_env *e, size_t len, int byte, int seed,
			    long first_page)
{
	size_t i, pages = len / e->psize;
	char *buf;

	buf = aligned_alloc(4096, ((len > e->psize ? len : e->psize) + 4095) &
			   ~(size_t)4095);
	if (!buf)
		return NULL;
	if (byte >= 0) {
		memset(buf, byte, len);
		return buf;
	}
	memset(buf, 0, len);
	for (i = 0; i < pages; i++)
		memset(buf + i * e->psize, (seed + first_page + i) & 0xff,
		       e->psize);
	return buf;
}

static inline int uk_copy_fd(int uffd, char *dst, size_t len, const char *src,
			     unsigned long long mode, long long *field)
{
	struct uffdio_copy copy = {
		.dst = (unsigned long)dst,
		.src = (unsigned long)src,
		.len = len,
		.mode = mode,
		.copy = UK_UNTOUCHED,
	};
	int ret = ioctl(uffd, UFFDIO_COPY, &copy) ? -errno : 0;

	*field = copy.copy;
	return ret;
}

static inline int uk_copy(struct uk_env *e, int ctx, char *dst, size_t len,
			  const char *src, unsigned long long mode,
			  long long *field)
{
	return uk_copy_fd(e->uffd[ctx], dst, len, src, mode, field);
}

static inline int uk_zeropage(struct uk_env *e, int ctx, char *dst, size_t len,
			      unsigned long long mode, long long *field)
{
	struct uffdio_zeropage zp = {
		.range = { .start = (unsigned long)dst, .len = len },
		.mode = mode,
		.zeropage = UK_UNTOUCHED,
	};
	int ret = ioctl(e->uffd[ctx], UFFDIO_ZEROPAGE, &zp) ? -errno : 0;

	*field = zp.zeropage;
	return ret;
}

static inline int uk_continue(struct uk_env *e, int ctx, char *dst, size_t len,
			      unsigned long long mode, long long *field)
{
	struct uffdio_continue cont = {
		.range = { .start = (unsigned long)dst, .len = len },
		.mode = mode,
		.mapped = UK_UNTOUCHED,
	};
	int ret = ioctl(e->uffd[ctx], UFFDIO_CONTINUE, &cont) ? -errno : 0;

	*field = cont.mapped;
	return ret;
}

static inline int uk_poison(struct uk_env *e, int ctx, char *dst, size_t len,
			    unsigned long long mode, long long *field)
{
	struct uffdio_poison poison = {
		.range = { .start = (unsigned long)dst, .len = len },
		.mode = mode,
		.updated = UK_UNTOUCHED,
	};
	int ret = ioctl(e->uffd[ctx], UFFDIO_POISON, &poison) ? -errno : 0;

	*field = poison.updated;
	return ret;
}

static inline int uk_writeprotect(struct uk_env *e, int ctx, char *start,
				  size_t len, unsigned long long mode)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (unsigned long)start, .len = len },
		.mode = mode,
	};

	return ioctl(e->uffd[ctx], UFFDIO_WRITEPROTECT, &wp) ? -errno : 0;
}

static inline int uk_move(struct uk_env *e, int ctx, char *src_base,
			  long src_page, long dst_page, long pages,
			  unsigned long long mode, long long *field)
{
	struct uffdio_move mv = {
		.dst = (unsigned long)uk_addr(e, dst_page, 0),
		.src = (unsigned long)(src_base + src_page * e->psize),
		.len = pages * e->psize,
		.mode = mode,
		.move = UK_UNTOUCHED,
	};
	int ret = ioctl(e->uffd[ctx], UFFDIO_MOVE, &mv) ? -errno : 0;

	*field = mv.move;
	return ret;
}

static inline int uk_file_write(struct uk_env *e, long page, int value,
				enum uk_via via)
{
	char *buf;
	ssize_t n;

	if (via == UK_VIA_ALIAS) {
		memset(e->alias + page * e->psize, value, e->psize);
		return 0;
	}
	buf = uk_fill(e, e->psize, value, 0, 0);
	if (!buf)
		return -ENOMEM;
	if (via == UK_VIA_WRITE)
		n = write(e->fd, buf, e->psize);
	else
		n = pwrite(e->fd, buf, e->psize, page * e->psize);
	free(buf);
	if (n < 0)
		return -errno;
	return n == (ssize_t)e->psize ? 0 : -EIO;
}

/* A system call's kernel-side copy covers at most one base page. */
static inline size_t uk_sys_len(const struct uk_env *e)
{
	return e->psize < 4096 ? e->psize : 4096;
}

/* read(2) from a pipe into @addr (a kernel write), or write(2) of @addr. */
static inline int uk_sys_copy(struct uk_thread *t)
{
	char chunk[4096];
	int p[2], ret;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	if (t->job == UK_SYS_READ) {
		memset(chunk, t->value, sizeof(chunk));
		n = write(p[1], chunk, t->len);
		n = n == (ssize_t)t->len ? read(p[0], t->addr, t->len) : -1;
	} else {
		n = write(p[1], t->addr, t->len);
	}
	ret = n == (ssize_t)t->len ? 0 : n < 0 ? -errno : -EIO;
	close(p[0]);
	close(p[1]);
	return ret;
}

/*
 * The forked child reads or writes its page (if any) and reports the first
 * byte read, -1 for a page that is not uniform, -2 for SIGBUS or -3 for no
 * read, then waits to be killed: alive, it keeps sharing its pages.
 */
static inline void uk_child_run(struct uk_thread *t)
{
	unsigned char *p = (unsigned char *)t->addr;
	int val = -3;
	size_t i;

	if (p && sigsetjmp(uk_jmp, 1)) {
		val = -2;
	} else if (p && t->off) {
		uk_arm(1);
		memset(p, t->value, t->len);
		uk_arm(0);
	} else if (p) {
		uk_arm(1);
		val = __atomic_load_n(&p[0], __ATOMIC_RELAXED);
		for (i = 1; i < t->len; i++)
			if (__atomic_load_n(&p[i], __ATOMIC_RELAXED) != val)
				val = -1;
		uk_arm(0);
	}
	if (write(t->uffd, &val, sizeof(val)) != sizeof(val))
		_exit(1);
	for (;;)
		pause();
}

/*
 * fork() by the raw system call, not glibc's fork(): glibc holds malloc's
 * locks across the clone, and with EVENT_FORK the clone waits until the
 * monitor reads the fork event, so a monitor step that allocates meanwhile
 * (a COPY's source buffer) would deadlock in userspace. The child calls only
 * async-signal-safe code.
 */
static inline int uk_fork_child(struct uk_thread *t)
{
#if defined(__s390__)
	pid_t pid = syscall(SYS_clone, 0, SIGCHLD, NULL, NULL, 0);
#else
	pid_t pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
#endif

	if (pid == 0)
		uk_child_run(t);
	t->field = pid;
	return pid < 0 ? -errno : 0;
}

static void *uk_worker(void *arg)
{
	struct uk_thread *t = arg;
	unsigned char *p = (unsigned char *)t->addr;
	int first, ret = 0;
	size_t i;

	t->tid = syscall(SYS_gettid);
	if (sigsetjmp(uk_jmp, 1)) {
		ret = uk_jmp_sig == SIGSEGV ? UK_SIGSEGV : UK_SIGBUS;
		__atomic_store_n(&t->outcome, ret, __ATOMIC_RELEASE);
		return NULL;
	}
	uk_arm(1);
	switch (t->job) {
	case UK_WRITE:
		memset(t->addr, t->value, t->len);
		break;
	case UK_READ:
		/* Atomic loads: every byte is read, so every page faults. */
		first = __atomic_load_n(&p[0], __ATOMIC_RELAXED);
		ret = first;
		for (i = 1; i < t->len; i++)
			if (__atomic_load_n(&p[i], __ATOMIC_RELAXED) != first)
				ret = -1;
		break;
	case UK_MADVISE:
		ret = madvise(t->addr, t->len, t->value) ? -errno : 0;
		break;
	case UK_PUNCH:
		ret = fallocate(t->value,
				FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				t->off, t->len) ? -errno : 0;
		break;
	case UK_SYS_READ:
	case UK_SYS_WRITE:
		ret = uk_sys_copy(t);
		break;
	case UK_MUNMAP:
		ret = munmap(t->addr, t->len) ? -errno : 0;
		break;
	case UK_COPY:
		ret = uk_copy_fd(t->uffd, t->addr, t->len, t->src, t->mode,
				 &t->field);
		break;
	case UK_FORK:
		ret = uk_fork_child(t);
		break;
	case UK_MREMAP:
		ret = mremap(t->addr, t->len, t->len,
			     MREMAP_MAYMOVE | MREMAP_FIXED, t->src) ==
			MAP_FAILED ? -errno : 0;
		break;
	}
	uk_arm(0);
	t->result = ret;
	__atomic_store_n(&t->outcome, UK_DONE, __ATOMIC_RELEASE);
	return NULL;
}

/* Wait up to @ms for a worker to finish; still running means blocked. */
static inline int uk_settle(struct uk_thread *t, long ms);

/* UFFDIO_COPY from a worker: its source may fault and block it. */
static inline int uk_start_copy(struct uk_env *e, int slot, const char *name,
				int ctx, char *dst, size_t len, char *src,
				unsigned long long mode)
{
	struct uk_thread *t = &e->thr[slot];

	if (t->started && uk_settle(t, 0) == UK_BLOCKED)
		return -EBUSY;
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->job = UK_COPY;
	t->addr = dst;
	t->len = len;
	t->uffd = e->uffd[ctx];
	t->src = src;
	t->mode = mode;
	t->started = 1;
	if (pthread_create(&t->handle, NULL, uk_worker, t))
		return -EAGAIN;
	pthread_detach(t->handle);
	return uk_settle(t, UK_BLOCK_MS);
}

/* Wait up to @ms for a worker to finish; still running means blocked. */
static inline int uk_settle(struct uk_thread *t, long ms)
{
	struct timespec t0, nap = { 0, 1000000 };
	int o;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		o = __atomic_load_n(&t->outcome, __ATOMIC_ACQUIRE);
		if (o != UK_RUNNING)
			return o;
		if (uk_ms_since(&t0) >= ms)
			return UK_BLOCKED;
		nanosleep(&nap, NULL);
	}
}

static inline int uk_start(struct uk_env *e, int slot, const char *name,
			   enum uk_job job, char *addr, size_t len, int value)
{
	struct uk_thread *t = &e->thr[slot];
	off_t off = addr - e->area;

	if (t->started && uk_settle(t, 0) == UK_BLOCKED)
		return -EBUSY;
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->job = job;
	t->addr = addr;
	t->len = len;
	t->value = value;
	t->off = off;
	t->started = 1;
	if (pthread_create(&t->handle, NULL, uk_worker, t))
		return -EAGAIN;
	pthread_detach(t->handle);
	return uk_settle(t, UK_BLOCK_MS);
}

static inline void uk_obs_thread(int n, const char *op, struct uk_thread *t,
				 int o)
{
	char buf[16];

	if (o == UK_DONE && t->job == UK_COPY) {
		if (t->field == UK_UNTOUCHED)
			uk_step(n, op, "done result=%s copy=untouched",
				t->result ? uk_errname(-t->result, buf,
						       sizeof(buf)) : "ok");
		else
			uk_step(n, op, "done result=%s copy=%lld",
				t->result ? uk_errname(-t->result, buf,
						       sizeof(buf)) : "ok",
				t->field);
		return;
	}
	switch (o) {
	case UK_BLOCKED:
		uk_step(n, op, "blocked");
		break;
	case UK_SIGBUS:
		uk_step(n, op, "sigbus");
		break;
	case UK_SIGSEGV:
		uk_step(n, op, "sigsegv");
		break;
	case UK_DONE:
		if (t->job == UK_SYS_READ || t->job == UK_SYS_WRITE)
			uk_step(n, op, "done result=%s",
				t->result ? uk_errname(-t->result, buf,
						       sizeof(buf)) : "ok");
		else if (t->job != UK_READ)
			uk_step(n, op, "done");
		else if (t->result < 0)
			uk_step(n, op, "done value=mixed");
		else
			uk_step(n, op, "done value=0x%02x", t->result);
		break;
	default:
		uk_step(n, op, "error=%d", o);
	}
}

/*
 * madvise() and fallocate() run in a worker: with EVENT_REMOVE they block
 * until the monitor reads the event, and the monitor is this thread.
 */
static inline int uk_side_call(struct uk_env *e, int slot, const char *name,
			       enum uk_job job, char *addr, size_t len,
			       int arg, int *ret)
{
	int o = uk_start(e, slot, name, job, addr, len, arg);

	*ret = e->thr[slot].result;
	return o;
}

/*
 * mremap() the primary area, from a worker, onto a reserved range: with
 * EVENT_REMAP the call only returns once the monitor reads the event, but
 * the mapping has moved by then, so later steps use the new address.
 */
static inline int uk_mremap(struct uk_env *e, int slot, const char *name,
			    int *ret)
{
	char *to = mmap(NULL, e->len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct uk_thread *t = &e->thr[slot];
	int o;

	if (to == MAP_FAILED) {
		*ret = -errno;
		return UK_DONE;
	}
	if (t->started && uk_settle(t, 0) == UK_BLOCKED)
		return -EBUSY;
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->job = UK_MREMAP;
	t->addr = e->area;
	t->len = e->len;
	t->src = to;
	t->started = 1;
	if (pthread_create(&t->handle, NULL, uk_worker, t))
		return -EAGAIN;
	pthread_detach(t->handle);
	o = uk_settle(t, UK_BLOCK_MS);
	*ret = t->result;
	if (o != UK_DONE || !*ret)
		e->area = to;
	return o;
}

/*
 * fork() from a worker; the child reads @page (or, with @write, writes @value
 * over it) and reports what it saw (@page -1: the child does nothing).
 */
static inline int uk_fork(struct uk_env *e, int slot, const char *name,
			  long page, int write, int value, int *ret)
{
	struct uk_thread *t = &e->thr[slot];
	int o;

	if (e->child_pipe[0] < 0 && pipe2(e->child_pipe, O_CLOEXEC)) {
		*ret = -errno;
		return UK_DONE;
	}
	if (t->started && uk_settle(t, 0) == UK_BLOCKED)
		return -EBUSY;
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->job = UK_FORK;
	t->addr = page >= 0 ? e->area + page * e->psize : NULL;
	t->len = e->psize;
	t->value = value;
	t->off = write;		/* the child writes rather than reads */
	t->uffd = e->child_pipe[1];
	t->field = -1;
	t->started = 1;
	e->fork_slot = slot;
	if (pthread_create(&t->handle, NULL, uk_worker, t))
		return -EAGAIN;
	pthread_detach(t->handle);
	o = uk_settle(t, UK_BLOCK_MS);
	*ret = t->result;
	return o;
}

/* What the child's read saw, if it has reported within UK_WAIT_MS. */
static inline int uk_child_wait(struct uk_env *e, int *val)
{
	struct pollfd pfd = { .fd = e->child_pipe[0], .events = POLLIN };

	*val = -3;
	if (e->child_pipe[0] < 0 || poll(&pfd, 1, UK_WAIT_MS) <= 0)
		return UK_BLOCKED;
	if (read(e->child_pipe[0], val, sizeof(*val)) != sizeof(*val))
		return UK_BLOCKED;
	return *val == -2 ? UK_SIGBUS : UK_DONE;
}

static inline void uk_obs_child(int n, int o, int val)
{
	if (o == UK_BLOCKED)
		uk_step(n, "child_wait", "blocked");
	else if (o == UK_SIGBUS)
		uk_step(n, "child_wait", "sigbus");
	else if (val == -3)
		uk_step(n, "child_wait", "done");
	else if (val < 0)
		uk_step(n, "child_wait", "done value=mixed");
	else
		uk_step(n, "child_wait", "done value=0x%02x", val);
}

static inline void uk_obs_side(int n, const char *op, int o, int ret)
{
	if (o == UK_DONE)
		uk_obs_ret(n, op, ret);
	else
		uk_step(n, op, o == UK_BLOCKED ? "blocked" : "sigbus");
}

/* The worker that raised a fault, by its ptid (UFFD_FEATURE_THREAD_ID). */
static inline const char *uk_thread_of(struct uk_env *e,
				       const struct uffd_msg *msg)
{
	pid_t tid = msg->arg.pagefault.feat.ptid;
	int i;

	for (i = 0; i < UK_MAX_THREADS; i++)
		if (e->thr[i].started && e->thr[i].tid == tid)
			return e->thr[i].name;
	return NULL;
}

/*
 * read() one message into a buffer of @size bytes (less than a message is
 * EINVAL).  A read() error other than EAGAIN is an observation too.
 */
static inline void uk_read_event(struct uk_env *e, int ctx,
				 struct uk_event *ev, size_t size)
{
	struct pollfd pfd = { .fd = e->uffd[ctx], .events = POLLIN };
	struct uffd_msg msg;
	long off;
	ssize_t n;

	memset(ev, 0, sizeof(*ev));
	/* Wait a little for a message, then read() whatever poll() said. */
	poll(&pfd, 1, UK_EVENT_MS);
	n = read(e->uffd[ctx], &msg, size < sizeof(msg) ? size : sizeof(msg));
	if (n != sizeof(msg)) {
		if (n < 0 && errno == EAGAIN)
			return;
		ev->kind = UK_EV_ERROR;
		ev->err = n < 0 ? errno : EIO;
		return;
	}
	switch (msg.event) {
	case UFFD_EVENT_PAGEFAULT:
		ev->kind = UK_EV_PAGEFAULT;
		off = (long)msg.arg.pagefault.address - (long)e->area;
		ev->page = off / (long)e->psize;
		ev->offset = off % (long)e->psize;
		ev->flags = msg.arg.pagefault.flags;
		if (e->features[ctx] & UFFD_FEATURE_THREAD_ID)
			ev->thread = uk_thread_of(e, &msg);
		break;
	case UFFD_EVENT_FORK:
		ev->kind = UK_EV_FORK;
		/* read() installed the child's fd: the next context. */
		if (e->nctx < UK_MAX_CTX) {
			e->uffd[e->nctx] = (int)msg.arg.fork.ufd;
			e->features[e->nctx] = e->features[ctx];
			e->nctx++;
		}
		break;
	case UFFD_EVENT_REMAP:
		ev->kind = UK_EV_REMAP;
		ev->pages = (long)msg.arg.remap.len / (long)e->psize;
		break;
	case UFFD_EVENT_REMOVE:
	case UFFD_EVENT_UNMAP:
		ev->kind = msg.event == UFFD_EVENT_REMOVE ? UK_EV_REMOVE :
							     UK_EV_UNMAP;
		ev->page = ((long)msg.arg.remove.start - (long)e->area) /
			   (long)e->psize;
		ev->pages = (long)(msg.arg.remove.end - msg.arg.remove.start) /
			    (long)e->psize;
		break;
	default:
		ev->kind = UK_EV_OTHER;
		ev->flags = msg.event;
	}
}

static inline void uk_obs_event(int n, const struct uk_event *ev)
{
	char flags[64] = "";
	char at[64];
	size_t i;

	switch (ev->kind) {
	case UK_EV_NONE:
		uk_step(n, "event", "none");
		return;
	case UK_EV_ERROR:
		uk_obs_ret(n, "event", -ev->err);
		return;
	case UK_EV_REMAP:
		uk_step(n, "event", "remap pages=%ld", ev->pages);
		return;
	case UK_EV_FORK:
		uk_step(n, "event", "fork");
		return;
	case UK_EV_REMOVE:
	case UK_EV_UNMAP:
		uk_step(n, "event", "%s page=%ld pages=%ld",
			ev->kind == UK_EV_REMOVE ? "remove" : "unmap",
			ev->page, ev->pages);
		return;
	case UK_EV_PAGEFAULT:
		break;
	default:
		uk_step(n, "event", "other code=0x%llx", ev->flags);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(uk_flag_names); i++) {
		if (!(ev->flags & uk_flag_names[i].value))
			continue;
		if (flags[0])
			strcat(flags, ",");
		strcat(flags, uk_flag_names[i].name);
	}
	if (ev->offset)
		snprintf(at, sizeof(at), "page=%ld offset=%ld", ev->page,
			 ev->offset);
	else
		snprintf(at, sizeof(at), "page=%ld", ev->page);
	if (ev->thread)
		uk_step(n, "event", "pagefault %s flags=%s thread=%s", at,
			flags[0] ? flags : "0", ev->thread);
	else
		uk_step(n, "event", "pagefault %s flags=%s", at,
			flags[0] ? flags : "0");
}

/* poll() for POLLIN: the revents seen, 0 when poll() timed out. */
static inline int uk_poll(struct uk_env *e, int ctx, int timeout_ms)
{
	struct pollfd pfd = { .fd = e->uffd[ctx], .events = POLLIN };
	int n = poll(&pfd, 1, timeout_ms);

	return n > 0 ? pfd.revents : n;
}

static inline void uk_obs_poll(int n, int revents)
{
	char buf[32];

	if (revents < 0) {
		uk_obs_ret(n, "poll", -errno);
		return;
	}
	snprintf(buf, sizeof(buf), "%s%s%s",
		 revents & POLLERR ? "err" : "",
		 (revents & POLLERR) && (revents & POLLIN) ? "," : "",
		 revents & POLLIN ? "in" : "");
	uk_step(n, "poll", "ok revents=%s", buf[0] ? buf : "0");
}

/* Open one more userfaultfd with @flags, through the syscall or the device. */
static inline int uk_open(int via_dev, int flags)
{
	int fd, dev;

	if (!via_dev) {
		fd = syscall(__NR_userfaultfd, flags);
	} else {
		dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
		if (dev < 0)
			return -errno;
		fd = ioctl(dev, USERFAULTFD_IOC_NEW, flags);
		if (fd < 0)
			fd = -errno;
		close(dev);
		if (fd < 0)
			return fd;
	}
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static inline int uk_fstat(struct uk_env *e, long long *size)
{
	struct stat st;

	*size = 0;
	if (fstat(e->fd, &st))
		return -errno;
	*size = st.st_size;
	return 0;
}

static inline void uk_obs_fstat(int n, int ret, long long size)
{
	if (ret)
		uk_obs_ret(n, "fstat", ret);
	else
		uk_step(n, "fstat", "ok size=%lld", size);
}

/* fallocate() on the backing file over pages, or over bytes when len >= 0. */
static inline int uk_fallocate(struct uk_env *e, int mode, long page, long off,
			       long pages, long len)
{
	off_t start = page * e->psize + off;

	return fallocate(e->fd, mode, start, uk_len(e, pages, len)) ?
		-errno : 0;
}

/* read() or pread() one page of the backing file: its first byte, or -1. */
static inline int uk_file_read(struct uk_env *e, long page, int positioned,
			       int *value)
{
	unsigned char *buf;
	ssize_t n;
	size_t i;

	*value = -1;
	buf = (unsigned char *)uk_fill(e, e->psize, 0, 0, 0);
	if (!buf)
		return -ENOMEM;
	if (positioned)
		n = pread(e->fd, buf, e->psize, page * e->psize);
	else
		n = read(e->fd, buf, e->psize);
	if (n < 0) {
		n = -errno;
		free(buf);
		return n;
	}
	*value = n > 0 ? buf[0] : -1;
	for (i = 1; i < (size_t)n; i++)
		if (buf[i] != buf[0])
			*value = -1;
	free(buf);
	return 0;
}

static inline void uk_obs_file_read(int n, int ret, int value)
{
	if (ret)
		uk_obs_ret(n, "file_read", ret);
	else if (value < 0)
		uk_step(n, "file_read", "ok value=mixed");
	else
		uk_step(n, "file_read", "ok value=0x%02x", value);
}

#endif /* UFFDKIT_RUNTIME_H */
