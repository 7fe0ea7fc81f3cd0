/**
 * The Scenario IR: one kselftest as data.
 *
 * A scenario maps memory of one kind, negotiates the API, registers, touches pages
 * from worker threads, reads events, resolves them with ioctls and checks results.
 * The simulator (src/run/sim) executes it step by step; the selftest emitter
 * (src/emit/selftest) turns it into a kselftest-harness TEST that performs the same
 * steps on the real kernel. Both print one Observation per step in the canonical
 * text form of src/ir/observation.ts, so the two runs can be diffed step by step.
 *
 * Units: page numbers index the primary mapping in pages of the kind's page size
 * (4 KiB, or 2 MiB for hugetlb). Page contents are modelled as one byte value
 * repeated over the whole page: writes memset a page, reads report the first byte
 * and whether the page is uniform.
 *
 * The JSON Schema in schema/scenario.schema.json is the published form of these types.
 */
import type { MemKind } from "../kernel/kinds.js";
import type { ErrnoName, GmemFlag, PagefaultFlag, RegisterMode, UffdFeature, RangeIoctl } from "../kernel/uapi.js";
import type { ApiGenerationId } from "../kernel/generations.js";
import type { KernelNeed } from "../kernel/versions.js";
import type { MemoryTypeSpec } from "../spec/types.js";

export interface Scenario {
  /** Test name: a C identifier, unique within its suite (TEST(name) in the selftest). */
  name: string;
  /** One line: what the scenario shows. */
  title: string;
  /** Where the expected behaviour comes from: rule ids, uffd-unit-tests case, seed. */
  source?: string[];
  setup: ScenarioSetup;
  steps: Step[];
  /**
   * Set when the scenario runs only on the simulator, with the reason (fault
   * injection into kernel helpers, a page state no released kernel lets a test
   * make): the selftest emitter leaves it out of the C and lists it with its
   * reason, and the kernel runner reports it as not run.
   */
  simulatorOnly?: string;
  /**
   * Set on a scenario of the real kind a declared type builds on, when that kind
   * is not the type itself: every report of a run of it says it ran on `kind`,
   * standing in for `type`, and nothing cites it as a test of the type.
   */
  standIn?: { kind: string; type: string };
  /**
   * Set when the scenario needs an operation on the object that the type lacks
   * (fallocate, MADV_REMOVE, write(2), ...), with the reason: every runner reports
   * it "not-applicable" (never a pass), and the selftest skips it saying so.
   */
  notApplicable?: string;
}

/**
 * Operations on a type's object, beyond mmap and userfaultfd, that a scenario
 * may need and a type may lack: fallocate(2) allocate and PUNCH_HOLE, madvise
 * MADV_REMOVE (which punches the file), write(2)/pwrite(2), read(2)/pread(2).
 */
export const OBJECT_OPS = ["fallocate", "punch-hole", "madv-remove", "write", "read"] as const;
export type ObjectOp = (typeof OBJECT_OPS)[number];

/** The object operations a scenario's setup and steps use, in OBJECT_OPS order. */
export function objectOpsOf(sc: Scenario): ObjectOp[] {
  const used = new Set<ObjectOp>();
  if (sc.setup.fallocated?.length) used.add("fallocate");
  for (const st of sc.steps) {
    if (st.op === "punch_hole") used.add("punch-hole");
    else if (st.op === "fallocate") used.add(st.mode === "punch" ? "punch-hole" : "fallocate");
    else if (st.op === "madvise" && st.advice === "remove") used.add("madv-remove");
    else if (st.op === "file_write" && st.via !== "alias") used.add("write");
    else if (st.op === "file_read") used.add("read");
  }
  return OBJECT_OPS.filter((o) => used.has(o));
}

/** What every report of a stand-in run says: "shmem, standing in for xram" (simulated: "shmem (simulated), ..."). */
export function standInText(s: { kind: string; type: string }, simulated = false): string {
  return `${s.kind}${simulated ? " (simulated)" : ""}, standing in for ${s.type}`;
}

/** How a selftest creates an object of the declared type (lowered from the spec's run.object). */
export type TestObject =
  | { kind: "memfd" }
  | { kind: "memfd-hugetlb" }
  | { kind: "anon" }
  | { kind: "guest_memfd"; flags: GmemFlag[] }
  | { kind: "chardev"; path: string }
  /** A file descriptor a system call returns: `name` (__NR_<name>, else `nr`) with `args`. */
  | { kind: "syscall"; name: string; nr: number; args: number[] }
  /** A file created in `dir` on the type's filesystem; `magic`: its statfs f_type, checked. */
  | { kind: "file"; dir: string; magic?: number };

export interface ScenarioSetup {
  kind: MemKind;
  /** Pages in the primary mapping. */
  pages: number;
  /** MAP_SHARED or MAP_PRIVATE for the primary mapping (guest_memfd allows only shared). */
  map: "shared" | "private";
  /** Map the primary mapping read-only (for the VM_MAYWRITE / EPERM cases on files). */
  readonly?: boolean;
  /** guest_memfd creation flags. */
  gmemFlags?: GmemFlag[];
  /**
   * A second MAP_SHARED mapping of the same file, never registered: touches with via "alias" use it.
   * For shmem-anon the file is the mapping's internal shmem file; the selftest makes the alias with
   * mremap(old_size 0), which maps the same pages a second time.
   */
  alias?: boolean;
  /** A separate private anonymous source area of this many pages (MOVE sources). */
  srcPages?: number;
  /** Number of userfaultfd contexts to open (default 1); steps pick one with `ctx`. */
  contexts?: number;
  /** Open userfaultfd with UFFD_USER_MODE_ONLY. */
  userModeOnly?: boolean;
  /**
   * guest_memfd: raw creation flag bits ORed into gmemFlags (bits no kernel knows, to
   * see KVM_CREATE_GUEST_MEMFD refuse them).
   */
  gmemRawFlags?: number;
  /**
   * KVM_CREATE_GUEST_MEMFD is expected to fail with this errno (unknown flag bits:
   * EINVAL). The scenario then has no file and no mapping.
   */
  createExpect?: ErrnoName;
  /**
   * guest_memfd: the VM type the file's VM is created with. Absent: the default VM
   * (KVM_CREATE_VM type 0). "sw_protected": KVM_X86_SW_PROTECTED_VM, a VM with
   * private memory, which takes guest_memfd memslots (needs "kvm-sw-protected-vm").
   */
  gmemVmType?: "sw_protected";
  /** For kind "declared": the memory type under test (a Model's run-relevant part). */
  declared?: DeclaredType;
  /**
   * A second mapping right after the primary one, with a hole of `gapPages`
   * between them. Its pages are numbered on from the primary's: page
   * `pages + gapPages + k` is its page k, so one range can span both mappings,
   * the hole, or the second mapping alone. Only with base-page primary kinds
   * (anon, shmem, shmem-anon).
   */
  next?: NextMapping;
  /**
   * Pages written through the primary mapping right after it is mapped, before
   * any step (so before any registration): a bulk population, e.g. the 512
   * pages a MADV_COLLAPSE needs.
   */
  populate?: { page: number; pages: number; value: number }[];
  /** Kernel features needed to run on the real kernel; absent ones make the run "kernel lacks this". */
  needs?: KernelNeed[];
  /**
   * The primary mmap() is expected to fail with this errno (guest_memfd without
   * the MMAP flag: ENODEV; MAP_PRIVATE: EINVAL). The scenario then has no mapping,
   * so its steps should not touch memory. Optional; added by the kernel-runner work.
   */
  mmapExpect?: ErrnoName;
  /**
   * Pages of the backing file allocated by fallocate(mode 0) before the run: in the
   * page cache but not up to date (shmem clears them on first use; a declared type
   * does what its get_folio strategy says). Optional; added by the simulator work.
   */
  fallocated?: number[];
}

/** The second mapping of a layout (ScenarioSetup.next). */
export interface NextMapping {
  /** anon: MAP_PRIVATE|MAP_ANONYMOUS; shmem: MAP_SHARED of its own memfd. */
  kind: "anon" | "shmem";
  pages: number;
  /** Unmapped pages between the primary mapping and this one (default 0: adjacent). */
  gapPages?: number;
  /** Protection (default rw). */
  prot?: "rw" | "read" | "none";
  /** MAP_DROPPABLE (anon only; Linux 6.11+). */
  droppable?: boolean;
}

/** What a scenario needs from the running kernel beyond userfaultfd itself. */
export type { KernelNeed };

/**
 * How a runner treats a need the kernel it runs (or models) lacks. "skip": the
 * scenario cannot run at all (lacks, without running). "try": run it anyway —
 * parts of it (argument checks, the kind's own behaviour) may work without the
 * missing feature; a pass is a pass, a failure is "lacks" with the failing step
 * as evidence. The simulator and the kernel runner both follow this table, so
 * their verdicts are comparable.
 */
export const NEED_POLICY: Readonly<Record<KernelNeed, "skip" | "try">> = {
  "hugetlb-pages": "skip",
  kvm: "skip",
  "gmem-uffd": "try",
  "kvm-userfault": "skip",
  "kvm-sw-protected-vm": "skip",
  "declared-type": "try",
};

/**
 * The part of a Model the simulator needs to run a declared type's callbacks as
 * their strategies. Plain data, so a hand-written scenario can carry it too.
 */
export interface DeclaredType {
  name: string;
  api: ApiGenerationId;
  backing: MemoryTypeSpec["backing"];
  modes: MemoryTypeSpec["features"];
  ioctls: MemoryTypeSpec["ioctls"];
  getFolio?: MemoryTypeSpec["getFolio"];
  copy?: MemoryTypeSpec["copy"];
  guard?: MemoryTypeSpec["guard"];
  fault?: MemoryTypeSpec["fault"];
  /** How MISSING/MINOR events are raised, as lowering decided it (src/lower). */
  raise: "core" | "handle_userfault" | "none";
  /** Why no event is raised, when raise is "none" (src/lower, Lowered.silent): the simulator's finding names the rule. */
  silent?: "core-without-do-userfault" | "declared-none" | "no-fault-block";
  wpMarkers?: boolean;
  /** The real kind the type builds on (page size, file semantics). */
  kernelKind?: "anon" | "shmem" | "hugetlb" | "guest_memfd";
  /** How a selftest creates an object of the type itself (the kernel C run; src/lower). */
  object?: TestObject;
  /** The config fragment lines that build the type itself ("CONFIG_XRAM=m"), from its Kconfig option (src/lower). */
  kconfig?: string[];
  /**
   * Simulator only: page indexes that in-place conversion has made private (the
   * guard's shared predicate is false for them at fault time). Optional; added by
   * the simulator work.
   */
  privatePages?: number[];
  /**
   * The type's emitted C, which the simulator compiles and runs for every
   * callback: the file gen writes (path relative to the scenario file, or
   * absolute) and the names the harness needs. Optional only for scenario
   * files written before the simulator ran C; without it a declared scenario
   * is an error, not a pass.
   */
  c?: DeclaredC;
  /** Simulator only: make these helper calls fail, so every error path of the C runs. */
  inject?: Injection[];
}

/** Where the emitted C of a declared type is, and what the harness calls. */
export interface DeclaredC {
  /** kernel/<api>/<name>_uffd.c, relative to the scenario file. */
  file: string;
  /** The ops struct's name. */
  ops: string;
  /** The ->fault glue function, if the file has one. */
  faultGlue?: string;
  /** Functions the type defines elsewhere in its file (guards, helpers). */
  typeFunctions: {
    name: string;
    proto: string;
    role: "guard-inode" | "guard-page" | "get-or-create" | "alloc" | "info" | "prepare" | "unprepare" | "free-folio" | "unaccount" | "type-add" | "account" | "recalc";
  }[];
  /** Fields of the type's inode info the C reads (the shared policy's field). */
  infoFields?: string[];
}

/**
 * A fallible helper call the simulator can make fail (fault injection), or a state a
 * helper reports ("shared_policy": the inode has a shared NUMA policy for the page).
 */
export type InjectSite =
  | "alloc"
  | "truncated"
  | "lookup"
  | "lookup_truncated"
  | "charge"
  | "filemap_add_eexist"
  | "filemap_add_enomem"
  | "install_pte"
  | "account"
  | "copy_from_user"
  | "prepare"
  | "memlock"
  | "shared_policy";

export interface Injection {
  site: InjectSite;
  /** Which call of that helper fails, counting from 1 within the scenario. Default 1. */
  nth?: number;
}

/**
 * A 64-bit mask written as a hex string ("0x1ffff"): JSON numbers cannot hold 64
 * bits exactly, and masks read best in hex.
 */
export type HexMask = string;

/**
 * A result field (`uffdio_copy.copy`, ...) after the call: the number the kernel
 * wrote, or "untouched" when it wrote nothing (the runtime presets a sentinel, as
 * the kselftests do, so a written 0 and no write at all are told apart).
 */
export type ResultField = number | "untouched";

/** Expected result of a syscall or ioctl. Omitted: expect success. */
export interface ExpectRet {
  /** The errno the call must fail with, or "ok". */
  result?: "ok" | ErrnoName;
}

/** A range in pages of the primary mapping. `pages` defaults to 1. */
export interface PageRange {
  page: number;
  pages?: number;
  /** Add this many bytes to the start (for unaligned-range cases). */
  offsetBytes?: number;
  /** Length in bytes instead of pages (for len 0 / unaligned length cases). */
  lenBytes?: number;
}

/** Page contents as written by COPY or a touch: one byte, or a per-page pattern. */
export type Fill = { byte: number } | { pattern: "page-index"; seed?: number };

/**
 * A COPY source that is an address in one of the scenario's mappings rather
 * than a filled buffer: page `page` of `in` (default the primary mapping),
 * plus `offsetBytes`. The kernel reads it with copy_from_user(), so the source
 * can fault (MISSING-registered: the COPY blocks until the page is resolved),
 * be unmapped (EFAULT), be unaligned or overlap the destination.
 */
export interface SourceAddress {
  page: number;
  in?: "primary" | "alias" | "src";
  offsetBytes?: number;
}

export type Step =
  | ApiStep
  | RegisterStep
  | UnregisterStep
  | TouchStep
  | WaitStep
  | EventStep
  | CopyStep
  | ZeropageStep
  | ContinueStep
  | WriteprotectStep
  | PoisonStep
  | MoveStep
  | WakeStep
  | FileWriteStep
  | PunchHoleStep
  | MadviseStep
  | CloseStep
  | KvmUserfaultStep
  | PollStep
  | OpenStep
  | SyscallStep
  | FstatStep
  | FallocateStep
  | TruncateStep
  | FileReadStep
  | KvmCapStep
  | KvmMemslotStep
  | MunmapStep
  | MremapStep
  | ForkStep
  | ChildWaitStep;

interface StepBase {
  /** Which userfaultfd context (default 0). */
  ctx?: number;
  /** Free text shown in the TAP output for this step. */
  note?: string;
}

/** UFFDIO_API. */
export interface ApiStep extends StepBase {
  op: "api";
  features?: UffdFeature[];
  /** Send a wrong api value (not UFFD_API) to test the EINVAL path. */
  badApi?: boolean;
  /** Set an unknown feature bit (bit 63). */
  unknownFeature?: boolean;
  /** Raw feature bits ORed into `features` (bits outside the named set). */
  rawFeatures?: HexMask;
  /**
   * `features` / `ioctls` as UFFDIO_API writes them back (all the kernel offers on
   * success, 0 on any error). Naming either makes the observation report both.
   */
  expect?: ExpectRet & { features?: HexMask; ioctls?: HexMask };
}

/** UFFDIO_REGISTER over a range of the primary mapping. */
export interface RegisterStep extends StepBase, PageRange {
  op: "register";
  modes: RegisterMode[];
  /** Raw mode bits ORed into `modes` (an unknown mode bit: EINVAL). */
  rawMode?: number;
  expect?: ExpectRet & {
    /** The exact `ioctls` mask the kernel returns (range ioctls only). */
    ioctls?: RangeIoctl[];
  };
}

export interface UnregisterStep extends StepBase, PageRange {
  op: "unregister";
  expect?: ExpectRet;
}

/**
 * A worker thread accesses a page. The step ends when the access completes, raises
 * SIGBUS, or has been blocked for the block window (the thread then stays blocked
 * until a later step resolves it).
 */
export interface TouchStep extends StepBase {
  op: "touch";
  thread: string;
  page: number;
  access: "read" | "write";
  /** Byte written by a write access (the whole page is set). */
  value?: number;
  /** Access the alias mapping instead of the primary one. */
  via?: "primary" | "alias";
  /**
   * Start the access this many bytes into the page (the faulting address is then
   * not page aligned: UFFD_FEATURE_EXACT_ADDRESS reports it as it is).
   */
  offsetBytes?: number;
  expect: TouchExpect;
}

/**
 * How a worker's access or system call ended. `result` is for a `syscall` step's
 * thread: the call's return, "ok" or an errno.
 */
export type TouchExpect =
  | { outcome: "blocked" }
  | { outcome: "done"; value?: number; result?: "ok" | ErrnoName; copy?: ResultField }
  | { outcome: "sigbus" }
  /** The address is not mapped (after a munmap step). */
  | { outcome: "sigsegv" };

/** Wait for a thread started by a touch to finish (after a resolution). */
export interface WaitStep extends StepBase {
  op: "wait";
  thread: string;
  expect: TouchExpect;
}

/**
 * read() one message from the userfaultfd (non-blocking, after a short poll).
 * read() itself may fail: before UFFDIO_API (EINVAL) or into a buffer shorter
 * than struct uffd_msg (EINVAL); `event: "error"` expects that.
 */
export interface EventStep extends StepBase {
  op: "event";
  /** Size of the read() buffer in bytes (default sizeof(struct uffd_msg), 32). */
  bufBytes?: number;
  expect:
    | { event: "none" }
    | { event: "error"; result: ErrnoName }
    /** `offset`: the fault address's offset within the page (non-zero only with EXACT_ADDRESS). */
    | { event: "pagefault"; page: number; offset?: number; flags: PagefaultFlag[]; thread?: string }
    | { event: "remove"; page: number; pages: number }
    /** UFFD_EVENT_UNMAP: the munmap() range, in pages of the primary mapping. */
    | { event: "unmap"; page: number; pages: number }
    /** UFFD_EVENT_REMAP: the mapping moved; its length in pages. */
    | { event: "remap"; pages: number }
    /** UFFD_EVENT_FORK: the child's userfaultfd becomes the next context index. */
    | { event: "fork" };
}

export interface CopyStep extends StepBase, PageRange {
  op: "copy";
  src: Fill | SourceAddress;
  /**
   * Make the ioctl from this worker thread instead of the monitor (a COPY whose
   * source faults blocks its caller). Observed as a touch: `blocked`, or
   * `done result=<ok|errno> copy=<n>`; a later `wait` observes the same.
   */
  thread?: string;
  mode?: ("dontwake" | "wp")[];
  /** Raw mode bits ORed into `mode` (unknown bits: EINVAL, field untouched). */
  rawMode?: number;
  /** `uffdio_copy.copy` after the call: bytes copied, a negative errno, or untouched. */
  expect?: ExpectRet & { copy?: ResultField; outcome?: "blocked" };
}

export interface ZeropageStep extends StepBase, PageRange {
  op: "zeropage";
  mode?: "dontwake"[];
  rawMode?: number;
  expect?: ExpectRet & { zeropage?: ResultField };
}

export interface ContinueStep extends StepBase, PageRange {
  op: "continue";
  mode?: ("dontwake" | "wp")[];
  rawMode?: number;
  expect?: ExpectRet & { mapped?: ResultField };
}

export interface WriteprotectStep extends StepBase, PageRange {
  op: "writeprotect";
  wp: boolean;
  dontwake?: boolean;
  rawMode?: number;
  expect?: ExpectRet;
}

export interface PoisonStep extends StepBase, PageRange {
  op: "poison";
  rawMode?: number;
  expect?: ExpectRet & { updated?: ResultField };
}

/** UFFDIO_MOVE from the private anonymous source area (setup.srcPages) to the primary mapping. */
export interface MoveStep extends StepBase {
  op: "move";
  srcPage: number;
  /** Fill the source pages with this before moving (0 = leave them unpopulated). */
  srcFill?: Fill;
  /**
   * Where srcPage counts from: the MOVE source area (setup.srcPages, the default)
   * or the primary mapping itself (src and dst in one registered range).
   */
  srcIn?: "src" | "primary";
  dstPage: number;
  pages?: number;
  allowSrcHoles?: boolean;
  rawMode?: number;
  expect?: ExpectRet & { move?: ResultField };
}

export interface WakeStep extends StepBase, PageRange {
  op: "wake";
  expect?: ExpectRet;
}

/** Populate the page cache out of band: pwrite() to the file, or a write through the alias mapping. */
export interface FileWriteStep extends StepBase {
  op: "file_write";
  page: number;
  value: number;
  /** pwrite(2) at the page, write(2) at the file position (0), or a store through the alias. */
  via: "pwrite" | "write" | "alias";
  expect?: ExpectRet;
}

/** fallocate(PUNCH_HOLE | KEEP_SIZE) on the backing file. */
export interface PunchHoleStep extends StepBase {
  op: "punch_hole";
  page: number;
  pages?: number;
  /** Make the call from this worker thread (see MadviseStep.thread). */
  thread?: string;
  expect?: SideCallExpect;
}

export interface MadviseStep extends StepBase {
  op: "madvise";
  /** collapse: MADV_COLLAPSE (the PMD mapping itself is not observed, only the call's result). */
  advice: "dontneed" | "remove" | "collapse";
  page: number;
  pages?: number;
  /**
   * Make the call from this worker thread. With EVENT_REMOVE the call blocks until
   * the monitor reads the REMOVE event (6.18, fs/userfaultfd.c userfaultfd_event_wait_completion()): the step then
   * observes `blocked`, and a later `wait` on the thread observes `done`.
   * Optional; added by the kernel-runner work.
   */
  thread?: string;
  expect?: SideCallExpect;
}

/** A madvise/fallocate result: an errno or ok, or `outcome: "blocked"` when the call is expected not to return yet. */
export type SideCallExpect = ExpectRet & { outcome?: "blocked" };

/**
 * munmap() pages of the primary mapping from a side thread. With
 * UFFD_FEATURE_EVENT_UNMAP on a context registered in the range, the call
 * queues an UNMAP event and does not return until the monitor reads it
 * (observed `blocked`; a later `wait` on the thread observes `done`).
 */
export interface MunmapStep extends StepBase {
  op: "munmap";
  page: number;
  pages?: number;
  thread?: string;
  expect?: SideCallExpect;
}

/**
 * mremap() the whole primary mapping to a new address (MREMAP_MAYMOVE |
 * MREMAP_FIXED), from a side thread; later steps' page numbers refer to the
 * new place. With UFFD_FEATURE_EVENT_REMAP the registration moves along and
 * the call blocks until the monitor reads the REMAP event; without it the
 * moved mapping is no longer registered. Base-page kinds only.
 */
export interface MremapStep extends StepBase {
  op: "mremap";
  thread?: string;
  expect?: SideCallExpect;
}

/**
 * fork() from a side thread. The child reads page `childReads` of the primary
 * mapping right away (if given) and reports what it saw; a `child_wait` step
 * observes that. With UFFD_FEATURE_EVENT_FORK fork() blocks until the monitor
 * reads the FORK event, whose new userfaultfd becomes the next context index
 * (after setup.contexts and earlier forks), registered on the child's copy of
 * every range the parent registered; without it the child has no
 * registration and no uffd-wp bits.
 */
export interface ForkStep extends StepBase {
  op: "fork";
  thread?: string;
  childReads?: number;
  /** Instead of reading: the child writes `childValue` over this page (a COW break, or a WP fault). */
  childWrites?: number;
  childValue?: number;
  expect?: SideCallExpect;
}

/** What the forked child's access saw: blocked (still waiting), done [value=0xNN for a read], or sigbus. */
export interface ChildWaitStep extends StepBase {
  op: "child_wait";
  expect: TouchExpect;
}

/** close() a userfaultfd context: wakes every blocked faulter. */
export interface CloseStep extends StepBase {
  op: "close";
}

/**
 * KVM Userfault (Oliver Upton on KVM Userfault v3 04/15; not merged, so simulator-only). A memslot with
 * KVM_MEM_USERFAULT over the primary mapping and a userspace bitmap.
 */
export type KvmUserfaultStep =
  | (StepBase & { op: "kvm_enable_userfault"; expect?: ExpectRet })
  /** Userspace sets or clears a page's bit; order "release" is a store-release, "relaxed" a plain store. */
  | (StepBase & { op: "kvm_bitmap"; page: number; set: boolean; order: "release" | "relaxed" })
  /**
   * A vCPU accesses a page. `load` is how KVM reads the bitmap: "acquire" (as Oliver asked)
   * or "plain" (the v3 code). Expect an exit, or the value the guest reads.
   */
  | (StepBase & {
      op: "kvm_vcpu_access";
      page: number;
      load: "acquire" | "plain";
      expect: { outcome: "exit-userfault" } | { outcome: "done"; value?: number } | { outcome: "any" };
    });

/**
 * poll() the userfaultfd for POLLIN. Before UFFDIO_API the kernel answers POLLERR;
 * with nothing queued poll() blocks for the whole timeout and returns 0.
 */
export interface PollStep extends StepBase {
  op: "poll";
  /** poll() timeout in ms (default 0: do not wait). */
  timeoutMs?: number;
  /** The revents bits seen (empty: poll() timed out). */
  expect: { revents: ("in" | "err")[] };
}

/** Open one more userfaultfd (and close it again): through the syscall or /dev/userfaultfd. */
export interface OpenStep extends StepBase {
  op: "open";
  via: "syscall" | "dev";
  flags?: ("cloexec" | "nonblock" | "user_mode_only")[];
  /** Raw flag bits ORed into `flags` (unknown bits: EINVAL). */
  rawFlags?: number;
  expect?: ExpectRet;
}

/**
 * A system call whose kernel-side copy touches a page of the primary mapping,
 * made from worker `thread`: read(2) from a pipe into the page (the kernel writes
 * it, filling it with `value`) or write(2) of the page into a pipe (the kernel
 * reads it). A kernel-mode fault on a registered page blocks like a user one,
 * unless the context was opened with UFFD_USER_MODE_ONLY: then the call fails
 * with EFAULT. Observed like a touch; `done` carries the call's result.
 */
export interface SyscallStep extends StepBase {
  op: "syscall";
  thread: string;
  call: "read" | "write";
  page: number;
  value?: number;
  expect: TouchExpect;
}

/** fstat() the backing file: st_size in bytes. */
export interface FstatStep extends StepBase {
  op: "fstat";
  expect?: ExpectRet & { size?: number };
}

/** fallocate() on the backing file over a range in pages (or bytes, for unaligned cases). */
export interface FallocateStep extends StepBase, PageRange {
  op: "fallocate";
  /** allocate: mode 0; punch: PUNCH_HOLE | KEEP_SIZE. */
  mode: "allocate" | "punch";
  expect?: ExpectRet;
}

/**
 * ftruncate() of the backing file to `pages` pages: shrinking sets i_size
 * first, then unmaps every PTE of the file beyond it (private COW copies too)
 * and drops the page-cache folios there (truncate_pagecache()); growing only
 * sets i_size, the new pages are holes. A later access beyond i_size is
 * SIGBUS. Types without a size change (guest_memfd, shared anonymous memory)
 * refuse it with EINVAL, as their setattr or the missing descriptor does.
 */
export interface TruncateStep extends StepBase {
  op: "truncate";
  /** The new size, in pages of the mapping's page size (0 to the mapping's size). */
  pages: number;
  expect?: ExpectRet;
}

/** read(2) or pread(2) one page of the backing file through its descriptor. */
export interface FileReadStep extends StepBase {
  op: "file_read";
  page: number;
  via: "read" | "pread";
  expect?: ExpectRet & { value?: number };
}

/**
 * KVM_SET_USER_MEMORY_REGION2 on the guest_memfd's VM: slot 0, KVM_MEM_GUEST_MEMFD,
 * the whole file from offset 0 at guest physical 0 (userspace_addr 0: the slot
 * has no shared mapping). The VM must be one that has private memory
 * (setup.gmemVmType "sw_protected").
 */
export interface KvmMemslotStep extends StepBase {
  op: "kvm_memslot";
  expect?: ExpectRet;
}

/** KVM_CHECK_EXTENSION on the VM a guest_memfd belongs to. */
export interface KvmCapStep extends StepBase {
  op: "kvm_cap";
  cap: "guest_memfd" | "guest_memfd_flags";
  expect?: { value?: number };
}

export type StepOp = Step["op"];

/** A named list of scenarios: what `uffdkit test` plans for a spec, or a reference suite. */
export interface Suite {
  name: string;
  title: string;
  scenarios: Scenario[];
}
