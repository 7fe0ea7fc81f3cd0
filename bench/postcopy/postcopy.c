// SPDX-License-Identifier: GPL-2.0
/*
 * Postcopy on the real kernel: a handler thread reads MISSING faults from a
 * userfaultfd and resolves each with UFFDIO_COPY (which wakes the faulter);
 * the main thread touches every page once: of a private anonymous mapping,
 * or with "shmem" of a MAP_SHARED memfd (shmem's own uffd path).
 * Prints one JSON line: pages, faults, seconds, verified.
 *
 * Usage: postcopy PAGES [anon|shmem]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PSIZE 4096UL

static int uffd;
static size_t npages;
static char *src;
static volatile size_t faults;

static void *handler(void *arg)
{
	struct uffd_msg msg;
	struct uffdio_copy copy;

	(void)arg;
	while (faults < npages) {
		ssize_t n = read(uffd, &msg, sizeof(msg));

		if (n != sizeof(msg)) {
			if (n < 0 && errno == EINTR)
				continue;
			perror("read");
			exit(2);
		}
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		copy.dst = msg.arg.pagefault.address & ~(PSIZE - 1);
		copy.src = (unsigned long)src;
		copy.len = PSIZE;
		copy.mode = 0;
		copy.copy = 0;
		if (ioctl(uffd, UFFDIO_COPY, &copy) && errno != EEXIST) {
			perror("UFFDIO_COPY");
			exit(2);
		}
		faults++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct timespec t0, t1;
	pthread_t thr;
	unsigned long sum = 0;
	size_t len, i;
	char *area;

	int shmem;

	if (argc < 2 || argc > 3)
		return 2;
	shmem = argc == 3 && !strcmp(argv[2], "shmem");
	npages = strtoul(argv[1], NULL, 0);
	len = npages * PSIZE;
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0) {
		perror("userfaultfd");
		return 2;
	}
	if (ioctl(uffd, UFFDIO_API, &api)) {
		perror("UFFDIO_API");
		return 2;
	}
	if (shmem) {
		int fd = memfd_create("postcopy", MFD_CLOEXEC);

		if (fd < 0 || ftruncate(fd, len)) {
			perror("memfd");
			return 2;
		}
		area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
	} else {
		area = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (area == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	/* One fault per 4 KiB page: no THP. */
	madvise(area, len, MADV_NOHUGEPAGE);
	reg.range.start = (unsigned long)area;
	reg.range.len = len;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		perror("UFFDIO_REGISTER");
		return 2;
	}
	src = aligned_alloc(PSIZE, PSIZE);
	memset(src, 0x5a, PSIZE);
	if (pthread_create(&thr, NULL, handler, NULL))
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < npages; i++)
		sum += *(volatile unsigned char *)(area + i * PSIZE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(thr, NULL);
	printf("{\"pages\":%zu,\"faults\":%zu,\"seconds\":%.6f,\"verified\":%s}\n",
	       npages, (size_t)faults,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       sum == npages * 0x5aUL ? "true" : "false");
	munmap(area, len);
	return 0;
}
