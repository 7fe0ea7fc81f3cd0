/**
 * A lean postcopy driver over the simulator's kernel functions, for the
 * benchmark (bench/postcopy) and for scale tests: one faulting thread reads
 * every page of a MISSING-registered private anonymous mapping; the monitor
 * reads each fault, resolves it with UFFDIO_COPY (which wakes the thread) and
 * the thread completes its read. No Scenario objects, no observation strings:
 * the same functions the step executor calls, driven directly.
 */
import { PAGE_SIZE, UFFD_API, UFFDIO_REGISTER_MODE } from "../../kernel/uapi.js";
import { kernelVersion, type KernelVersionId } from "../../kernel/versions.js";
import { Machine } from "./machine.js";
import { FAULT_BLOCKED, handle_mm_fault } from "./memory.js";
import { settle } from "./preempt.js";
import { new_userfaultfd, userfaultfd_api, userfaultfd_copy, userfaultfd_ctx_read, userfaultfd_register } from "./fs_userfaultfd.js";
import type { SimThread, Vma } from "./state.js";
import type { DeclaredType } from "../../ir/scenario.js";
import type { CompiledType } from "../c/compile.js";
import { DeclaredC } from "../c/instance.js";
import { mfill_atomic_install_pte } from "./userfaultfd.js";
import { pageIsShared } from "./declared.js";

export interface PostcopyResult {
  readonly pages: number;
  readonly faults: number;
  readonly seconds: number;
  /** Every page read back the byte COPY wrote. */
  readonly verified: boolean;
}

// One fill function for every run: a closure per run would be a new call target
// each time and cost the JIT a deoptimisation per run.
let fillValue = 0x5a;
const COPY_FILL = (_page: number) => fillValue;

export function simulatePostcopy(pages: number, opts: { kernel?: KernelVersionId; value?: number } = {}): PostcopyResult {
  const m = new Machine(kernelVersion(opts.kernel ?? "6.18"), null, pages + 16);
  const vma = m.newVma({ role: "primary", npages: pages, pageSize: PAGE_SIZE, kind: "anon", anonymous: true, shared: false, mayWrite: true, write: true, file: null });
  return postcopy(m, vma, pages, (opts.value ?? 0x5a) & 0xff);
}

/**
 * The measured part, for any mapping: register MISSING, then one faulting
 * thread reads every page; each fault is read and resolved by COPY (which
 * wakes the thread), and the thread retries its read.
 */
function postcopy(m: Machine, vma: Vma, pages: number, value: number): PostcopyResult {
  const ctx = new_userfaultfd(m, false);
  if (userfaultfd_api(m, ctx, UFFD_API, 0n)) throw new Error("UFFDIO_API failed");
  if (userfaultfd_register(m, ctx, vma.start, pages * PAGE_SIZE, UFFDIO_REGISTER_MODE.missing).ret) throw new Error("UFFDIO_REGISTER failed");
  const th: SimThread = { name: "faulter", state: "running", vma, page: 0, write: false, value: 0, result: -1, waitMsg: null, waitCtx: null, afterEvent: null };
  m.threads.set(th.name, th);
  fillValue = value;
  let faults = 0;
  let verified = true;
  const t0 = process.hrtime.bigint();
  for (let p = 0; p < pages; p++) {
    th.state = "running";
    th.page = p;
    let r = settle(handle_mm_fault(m, th, vma, p, false, 0));
    if (r === FAULT_BLOCKED) {
      faults++;
      const msg = userfaultfd_ctx_read(m, ctx)!;
      settle(userfaultfd_copy(m, ctx, msg.address, PAGE_SIZE, {}, COPY_FILL));
      // The wake made the faulter runnable; it retries its read.
      while (m.runnable.length) m.runnable.pop();
      r = settle(handle_mm_fault(m, th, vma, p, false, 0));
    }
    if (r !== value) verified = false;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { pages, faults, seconds, verified };
}

/**
 * The same postcopy on a declared page-cache type whose callbacks are its
 * emitted C: every fault goes through __do_userfault() and the C's
 * get_folio_noalloc, every COPY through its alloc_folio and filemap_add, all
 * under the contract model. The mapping is MAP_SHARED of the type's file.
 */
export function simulateDeclaredPostcopy(
  pages: number,
  declared: DeclaredType,
  compiled: CompiledType,
  opts: { kernel?: KernelVersionId; value?: number } = {},
): PostcopyResult & { violations: number } {
  const m = new Machine(kernelVersion(opts.kernel ?? "7.1+gmem"), declared, pages + 16);
  const file = m.newFile("declared", pages, { gmemFlags: ["mmap", "init_shared"], hasFd: true });
  const vma = m.newVma({ role: "primary", npages: pages, pageSize: PAGE_SIZE, kind: "declared", anonymous: false, shared: true, mayWrite: true, write: true, file });
  m.c = new DeclaredC(compiled, m, { installPte: mfill_atomic_install_pte, pageIsShared }, []);
  const r = postcopy(m, vma, pages, (opts.value ?? 0x5a) & 0xff);
  return { ...r, verified: r.verified && m.c.violations.length === 0, violations: m.c.violations.length };
}
