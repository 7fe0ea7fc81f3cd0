/**
 * Two races users of userfaultfd report, held in conform so the simulator and
 * this machine's kernel must agree on them, on private anon and on shmem (the
 * orders are forced from userspace: a blocked side thread, then the ioctl).
 *
 * COPY against a REMOVE event. With UFFD_FEATURE_EVENT_REMOVE, MADV_DONTNEED
 * (mm/madvise.c madvise_dontneed_free) and MADV_REMOVE (madvise_remove) call
 * userfaultfd_remove() (fs/userfaultfd.c), which raises ctx->mmap_changing,
 * drops mmap_lock and sleeps in userfaultfd_event_wait_completion() until the
 * monitor read()s the REMOVE message. Meanwhile userfaultfd_copy() sees
 * mmap_changing and fails with EAGAIN, writing -EAGAIN into uffdio_copy.copy
 * before it looks at the range, so the faulter it meant to wake stays blocked.
 * mmap_changing is dropped by the madvise thread itself, when it wakes after
 * the read (the `out:` label of userfaultfd_event_wait_completion()): a retry
 * is sure to succeed only once that thread has returned, which is the order
 * these scenarios force (6.18, fs/userfaultfd.c userfaultfd_event_wait_completion()).
 *
 * EEXIST after a partial fill. mfill_atomic() (mm/userfaultfd.c) fills page by
 * page and stops at the first page that is already present, returning the
 * bytes done; userfaultfd_copy() turns a short count into EAGAIN with the count
 * in .copy (6.18, fs/userfaultfd.c userfaultfd_copy()). Retrying the remainder from that page
 * fills nothing: the first page fails, so it is -EEXIST, and the pages after
 * it are not attempted either. With UFFDIO_COPY_MODE_WP only the PTEs COPY
 * installs carry the uffd-wp bit (mfill_atomic_install_pte(): pte_mkuffd_wp
 * under MFILL_ATOMIC_WP); the page that was already there keeps its mapping
 * and stays writable, so a monitor that reads EEXIST as "done" has neither
 * protected it nor filled what followed it.
 *
 * Expectations were written from the Linux 6.12 tree and measured on this
 * machine's 6.18 kernel with `uffdkit conform`.
 */
import { KIND_SUPPORT } from "../../kernel/kinds.js";
import type { Scenario, ScenarioSetup, Step } from "../../ir/scenario.js";
import { api, blocked, copy, done, fault, madvise, neg, p, read, register, removeEvent, scenario, wait, wp, write } from "./build.js";

const REMOVE_SRC = [
  "fs/userfaultfd.c userfaultfd_remove, userfaultfd_event_wait_completion (mmap_changing)",
  "fs/userfaultfd.c userfaultfd_copy (mmap_changing: -EAGAIN written back)",
  "abi618Events",
  "user report: COPY returns EAGAIN while a REMOVE is pending",
];
const EEXIST_SRC = [
  "mm/userfaultfd.c mfill_atomic (stops at a present page, returns the bytes done)",
  "mm/userfaultfd.c mfill_atomic_install_pte (uffd-wp only on the PTEs it installs)",
  "fs/userfaultfd.c userfaultfd_copy (short count: EAGAIN)",
  "abi618WriteBack",
  "user report: EEXIST retries skip write-protection after a partial fill",
];

type RaceKind = "anon" | "shmem";

/**
 * The monitor has read a fault on page 1 when a side thread's madvise of page
 * 0 blocks on the REMOVE event; its COPY for page 1 is EAGAIN and wakes no one;
 * once the event is read and the madvise returned, the same COPY succeeds.
 */
function copyVsRemove(name: string, advice: "dontneed" | "remove", what: string, setup: ScenarioSetup, ps: number): Scenario {
  return scenario(name, `COPY vs ${what}: while the REMOVE event is unread the madvise blocks and COPY is EAGAIN (the faulter stays blocked); after it is read and the madvise returned, COPY succeeds`, REMOVE_SRC, setup, [
    api(["event_remove"]),
    register(p(0, 2), ["missing"]),
    copy(p(0), 0x21, { copy: ps }),
    read("r", 1, blocked),
    fault(1, []),
    madvise(advice, 0, { thread: "m", expect: { outcome: "blocked" } }),
    copy(p(1), 0x22, { result: "EAGAIN", copy: neg(11) }),
    wait("r", blocked),
    removeEvent(0, 1),
    wait("m", done()),
    copy(p(1), 0x22, { copy: ps }),
    wait("r", done(0x22)),
  ]);
}

/**
 * Page 1 is present before a three-page COPY with MODE_WP: page 0 is filled
 * and protected, the COPY stops at page 1 (EAGAIN, one page done); the retry
 * from page 1 is EEXIST and fills nothing. Page 0 write-faults (wp), page 1 is
 * written freely, page 2 is still missing.
 */
function eexistAfterPartial(name: string, prefill: Step, setup: ScenarioSetup, ps: number): Scenario {
  return scenario(name, "a COPY with MODE_WP that meets a present page is EAGAIN after the pages before it; the retry from that page is EEXIST and does nothing: the present page is not write-protected and the pages after it stay missing", EEXIST_SRC, setup, [
    prefill,
    api(),
    register(p(0, 3), ["missing", "wp"]),
    copy(p(0, 3), 0x22, { result: "EAGAIN", copy: ps }, ["wp"]),
    copy(p(1, 2), 0x22, { result: "EEXIST", copy: neg(17) }, ["wp"]),
    read("a", 0, done(0x22)),
    read("b", 1, done(0x11)),
    write("w0", 0, 0x33, blocked),
    fault(0, ["wp", "write"]),
    write("w1", 1, 0x44, done()),
    read("c", 2, blocked),
    fault(2, []),
    copy(p(2), 0x22, { copy: ps }, ["wp"]),
    wait("c", done(0x22)),
    wp(p(0), false),
    wait("w0", done()),
    read("d", 1, done(0x44)),
  ]);
}

export function raceScenarios(kind: RaceKind): Scenario[] {
  const ps = KIND_SUPPORT[kind].pageSize;
  if (kind === "anon") {
    const anon = (pages: number): ScenarioSetup => ({ kind: "anon", pages, map: "private" });
    return [
      copyVsRemove("race_copy_vs_remove_dontneed", "dontneed", "MADV_DONTNEED", anon(2), ps),
      eexistAfterPartial("race_copy_partial_retry_eexist_wp", write("pre", 1, 0x11, done()), anon(3), ps),
    ];
  }
  const shmem = (pages: number): ScenarioSetup => ({ kind: "shmem", pages, map: "shared", alias: true });
  return [
    copyVsRemove("race_copy_vs_remove_madv_remove", "remove", "MADV_REMOVE", shmem(2), ps),
    copyVsRemove("race_copy_vs_remove_dontneed", "dontneed", "MADV_DONTNEED", shmem(2), ps),
    eexistAfterPartial("race_copy_partial_retry_eexist_wp", write("pre", 1, 0x11, done(), "alias"), shmem(3), ps),
  ];
}
