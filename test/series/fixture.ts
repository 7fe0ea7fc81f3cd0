/**
 * A small kernel-like git tree for the series tests: the files a guest_memfd or
 * shmem spec names, mm/filemap.c with an unexported filemap_remove_folio(), and
 * the kvm and mm selftest Makefiles. Written fresh into a temp dir per test.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { KernelArtifacts } from "../../src/emit/kernel/artifacts.js";
import { normalize } from "../../src/model/normalize.js";
import type { Model } from "../../src/model/model.js";
import type { MemoryTypeSpec } from "../../src/spec/types.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";

export const FIXTURE_FILES: Record<string, string> = {
  "Makefile": "# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\n",
  "include/linux/userfaultfd_k.h": "/* SPDX-License-Identifier: GPL-2.0 */\n#ifndef _LINUX_USERFAULTFD_K_H\n#define _LINUX_USERFAULTFD_K_H\n#endif\n",
  "include/linux/kvm_types.h": "/* SPDX-License-Identifier: GPL-2.0-only */\n#ifndef __KVM_TYPES_H__\n#define __KVM_TYPES_H__\n#endif\n",
  "virt/kvm/guest_memfd.c": `// SPDX-License-Identifier: GPL-2.0
#include <linux/backing-dev.h>
#include <linux/falloc.h>
#include <linux/kvm_host.h>
#include <linux/pagemap.h>

#include "kvm_mm.h"

static vm_fault_t kvm_gmem_fault_user_mapping(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct folio *folio;
	vm_fault_t ret = VM_FAULT_LOCKED;

	if (((loff_t)vmf->pgoff << PAGE_SHIFT) >= i_size_read(inode))
		return VM_FAULT_SIGBUS;

	folio = kvm_gmem_get_folio(inode, vmf->pgoff);
	if (IS_ERR(folio))
		return VM_FAULT_SIGBUS;

	vmf->page = folio_file_page(folio, vmf->pgoff);
	return ret;
}

static const struct vm_operations_struct kvm_gmem_vm_ops = {
	.fault = kvm_gmem_fault_user_mapping,
};

static int kvm_gmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &kvm_gmem_vm_ops;
	return 0;
}
`,
  "mm/filemap.c": `// SPDX-License-Identifier: GPL-2.0-only
#include <linux/export.h>
#include <linux/pagemap.h>

/**
 * filemap_remove_folio - Remove folio from page cache.
 * @folio: The folio.
 */
void filemap_remove_folio(struct folio *folio)
{
	struct address_space *mapping = folio->mapping;

	__filemap_remove_folio(folio, NULL);
	filemap_free_folio(mapping, folio);
}

/* A brace in a comment: { must not confuse the scanner. */
void delete_from_page_cache_batch(struct address_space *mapping,
				  struct folio_batch *fbatch)
{
	if (!folio_batch_count(fbatch))
		return;
}
EXPORT_SYMBOL(delete_from_page_cache_batch);
`,
  "mm/shmem.c": `// SPDX-License-Identifier: GPL-2.0
#include <linux/fs.h>
#include <linux/shmem_fs.h>

static const struct vm_operations_struct shmem_vm_ops;

static vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);

	return shmem_get_folio_gfp(inode, vmf->pgoff, 0, NULL, vmf);
}

static const struct vm_operations_struct shmem_vm_ops = {
	.fault		= shmem_fault,
	.map_pages	= filemap_map_pages,
};
`,
  "tools/testing/selftests/kvm/Makefile": `# SPDX-License-Identifier: GPL-2.0-only
TEST_GEN_PROGS_x86_64 = x86_64/cpuid_test
TEST_GEN_PROGS_x86_64 += guest_memfd_test
TEST_GEN_PROGS_x86_64 += hardware_disable_test

include ../lib.mk
`,
  "tools/testing/selftests/mm/Makefile": `# SPDX-License-Identifier: GPL-2.0
TEST_GEN_FILES = cow
TEST_GEN_FILES += uffd-stress
TEST_GEN_FILES += uffd-unit-tests
TEST_GEN_FILES += uffd-wp-mremap

TEST_PROGS := run_vmtests.sh

include ../lib.mk
`,
  "tools/testing/selftests/mm/.gitignore": "# SPDX-License-Identifier: GPL-2.0-only\ncow\nuffd-stress\nuffd-unit-tests\n",
  "tools/testing/selftests/mm/run_vmtests.sh": `#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
CATEGORY="userfaultfd" run_test ./uffd-unit-tests
`,
};

export function sh(cwd: string, cmd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

/** Write the fixture into a new git repo with one commit tagged "base"; returns its path. */
export function makeFixtureTree(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "uffdkit-ktree-"));
  for (const [p, c] of Object.entries({ ...FIXTURE_FILES, ...extra })) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  sh(dir, "git", ["init", "-q", "-b", "master"]);
  sh(dir, "git", ["config", "user.name", "Jane Developer"]);
  sh(dir, "git", ["config", "user.email", "jane@example.org"]);
  sh(dir, "git", ["add", "-A"]);
  sh(dir, "git", ["commit", "-q", "-m", "base"]);
  sh(dir, "git", ["tag", "base"]);
  return dir;
}

export function gmemSpec(over: Partial<MemoryTypeSpec> = {}): MemoryTypeSpec {
  return {
    ...GMEM_SPEC,
    series: {
      title: "KVM: guest_memfd: support userfaultfd",
      version: 3,
      coDevelopedBy: [{ name: "Co Author", email: "co@example.org" }],
      changelog: [
        { version: 1, changes: ["first posting"], link: "https://lore.kernel.org/r/v1@example.org" },
        { version: 2, changes: ["check shared-ness at fault time"], link: "https://lore.kernel.org/r/v2@example.org" },
        { version: 3, changes: ["treat a folio that is not up to date as missing"] },
      ],
    },
    ...over,
  };
}

export function gmemModel(over: Partial<MemoryTypeSpec> = {}): Model {
  return normalize(gmemSpec(over));
}

/**
 * Hand-written fragments in the shape emitKernel returns, kernel style and
 * checkpatch-clean, so the git mechanics are tested independently of the emitter.
 */
export function fakeKernel(model: Model): KernelArtifacts {
  const n = model.name;
  return {
    api: model.gen.id,
    files: [],
    fragments: {
      includes: ["#include <linux/userfaultfd_k.h>"],
      ops: `/**
 * ${n}_uffd_get_folio - find a folio for UFFDIO_CONTINUE without allocating
 * @inode: the file's inode
 * @pgoff: the page offset
 *
 * Return: the folio locked and referenced, or ERR_PTR(-ENOENT).
 */
static struct folio *${n}_uffd_get_folio(struct inode *inode, pgoff_t pgoff)
{
	return filemap_lock_folio(inode->i_mapping, pgoff);
}

static const struct vm_uffd_ops ${n}_uffd_ops = {
	.get_folio_noalloc	= ${n}_uffd_get_folio,
};
`,
      hook: `.uffd_ops = &${n}_uffd_ops,`,
      faultGlue: { handler: model.fault?.handler ?? "kvm_gmem_fault_user_mapping", code: "if (vmf->pgoff == ULONG_MAX)\n\treturn VM_FAULT_SIGBUS;" },
      exports: model.copy?.export === "EXPORT_SYMBOL_FOR_KVM"
        ? [{ file: "mm/filemap.c", symbol: "filemap_remove_folio", line: "EXPORT_SYMBOL_FOR_KVM(filemap_remove_folio);", include: "#include <linux/kvm_types.h>" }]
        : [],
    },
  };
}

export const FAKE_SELFTEST = {
  path: "kvm_gmem_uffd_test.c",
  contents: `// SPDX-License-Identifier: GPL-2.0
#include "kselftest_harness.h"

TEST(register_minor)
{
	ASSERT_EQ(0, 0);
}

TEST_HARNESS_MAIN
`,
};
