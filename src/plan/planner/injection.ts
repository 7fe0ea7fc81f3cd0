/**
 * Fault injection: scenarios that make each fallible helper the emitted C
 * calls fail once, so every error path of every callback runs on the
 * simulator, and the errno COPY / CONTINUE return is held to core's
 * (mm/userfaultfd.c __mfill_atomic_pte(), mfill_atomic_pte_continue()): alloc_folio NULL → -ENOMEM (R21);
 * filemap_add failing → its errno (R22); a lookup miss → -EFAULT (R18).
 * They are simulator-only (need "declared-type"): no kernel can be made to fail
 * a helper on request.
 */
import type { InjectSite, Scenario, Step } from "../../ir/scenario.js";
import { api, blocked, continueFails, continueOk, copyFails, copyOk, done, fileWrite, noEvent, pagefault, register, sigbus, touch, wait } from "./steps.js";
import { scenario, type Target } from "./target.js";

export function injectionScenarios(t: Target): Scenario[] {
  const low = t.lowered;
  if (t.key !== "declared" || low.probeOnly || t.hugetlb) return [];
  const out: Scenario[] = [];
  const all = { page: 0, pages: t.lowered.pages };
  const ps = t.pageSize;
  const copies = t.modes.includes("missing") && t.ioctls.has("copy") && (low.roles.has("allocFolio") || low.roles.has("copy"));
  const raises = low.raise !== "none";
  // The fault glue reads i_size first when it checks EOF: a "truncated" injection for COPY counts past it.
  const glueReadsSize = low.glue === "raise" && low.eofFirst && raises ? 1 : 0;
  const inject = (name: string, title: string, sources: string[], sites: InjectSite[], steps: Step[]) =>
    scenario(t, name, title, ["fault injection", ...sources], withInjection(t, sites), steps);

  if (copies) {
    const fault = raises ? [touch("t0", 0, "read", blocked), pagefault(0)] : [];
    const after = raises ? [copyOk(0, 1, ps, { byte: 0x42 }), wait("t0", done(0x42)), noEvent()] : [copyOk(0, 1, ps, { byte: 0x42 })];
    const fails = (errno: "ENOMEM" | "EEXIST") => [api(), register(all, ["missing"]), ...fault, copyFails({ page: 0 }, errno, true), ...after];
    out.push(inject("inject_alloc_fails_enomem", "the folio allocation fails: COPY is ENOMEM, nothing leaks, a retry resolves the fault", ["R21"], ["alloc"], fails("ENOMEM")));
    if (low.copy?.alloc.eofCheck) {
      if (low.roles.has("copy")) {
        // peterx-v1: uffd_copy itself refuses past EOF with -EFAULT (shmem_mfill_atomic_pte), also on the retry.
        out.push(
          scenario(t, "inject_truncated_efault", "i_size shrank under COPY (a racing truncate): uffd_copy is EFAULT", ["fault injection", "peterxV1", "R45"], withInjection(t, [], [{ site: "truncated", nth: 1 + glueReadsSize }]), [
            api(),
            register(all, ["missing"]),
            ...fault,
            copyFails({ page: 0 }, "EFAULT", true),
            ...after,
          ]),
        );
        out.push(
          scenario(t, "inject_truncated_on_retry_efault", "the copy faulted, and i_size shrank before the retry: uffd_copy drops the folio it kept and is EFAULT", ["fault injection", "peterxV1", "R45"], withInjection(t, [], [{ site: "copy_from_user" }, { site: "truncated", nth: 2 + glueReadsSize }]), [
            api(),
            register(all, ["missing"]),
            ...fault,
            copyFails({ page: 0 }, "EFAULT", true),
            ...after,
          ]),
        );
      } else {
        out.push(
          scenario(t, "inject_truncated_enomem", "i_size shrank under COPY (a racing truncate): alloc_folio returns NULL, COPY is ENOMEM", ["fault injection", "R21", "R45"], withInjection(t, [], [{ site: "truncated", nth: 1 + glueReadsSize }]), fails("ENOMEM")),
        );
      }
    }
    if (low.copy?.alloc.strategy === "shared-policy" && low.copy.alloc.policy && t.model.gen.filemapAllocMpol) {
      out.push(inject("copy_with_shared_policy", "the inode has a shared NUMA policy for the page: alloc_folio allocates with it and drops its reference", ["rppt1313"], ["shared_policy"], [api(), register(all, ["missing"]), ...fault, ...after]));
    }
    if (low.copy?.filemapAdd === "type" && low.copy.typeAdd?.accountBlocks) {
      out.push(inject("inject_account_fails_enomem", "the block accounting fails (tmpfs size= or quota): filemap_add undoes the add, COPY is ENOMEM", ["rppt1010", "R44"], ["account"], fails("ENOMEM")));
    }
    if (low.memcgCharge !== "none") {
      out.push(inject("inject_charge_fails_enomem", "the memcg charge fails: COPY is ENOMEM and the folio is freed", ["R21", "R22"], ["charge"], fails("ENOMEM")));
    }
    if (low.copy?.prepare && low.copy.unprepare && low.copy.filemapAdd !== "none") {
      // The type's step between the fill and the add (NO_DIRECT_MAP: splitting a large direct-map page needs memory).
      out.push(inject("inject_prepare_fails_enomem", "the type's prepare step fails (the direct map cannot be split): filemap_add returns its errno before the add, COPY is ENOMEM and the folio is freed", ["R65", "setDirectMap"], ["prepare"], fails("ENOMEM")));
    }
    if (low.copy && low.copy.filemapAdd !== "none") {
      out.push(inject("inject_filemap_add_eexist", "the page-cache add finds the slot taken (a racing COPY or fault): COPY is EEXIST, the folio is unlocked and freed", ["R22", "R44"], ["filemap_add_eexist"], fails("EEXIST")));
      out.push(inject("inject_filemap_add_enomem", "the page-cache add cannot allocate: COPY is ENOMEM, the folio is unlocked and freed", ["R22", "R44"], ["filemap_add_enomem"], fails("ENOMEM")));
      out.push(inject("inject_install_fails_removes", "the PTE install fails after filemap_add (a racing truncate): filemap_remove undoes the add, COPY is EFAULT", ["R23", "R44"], ["install_pte"], [api(), register(all, ["missing"]), ...fault, copyFails({ page: 0 }, "EFAULT", true), ...after]));
    }
    if (low.roles.has("copy")) {
      out.push(inject("inject_copy_source_faults_retry", "the user copy faults with page faults disabled: uffd_copy returns -ENOENT, core copies again without locks and the retry succeeds", ["peterxV1"], ["copy_from_user"], [api(), register(all, ["missing"]), ...fault, ...after]));
    }
  }
  if (low.glue === "raise" && low.eofFirst && (t.modes.includes("missing") || t.modes.includes("minor"))) {
    const mode = t.modes.includes("missing") ? "missing" : "minor";
    out.push(
      inject("inject_fault_past_eof_sigbus", "a fault past EOF (the file shrank) is SIGBUS before any userfault, as shmem's fault path does", ["faultPath"], ["truncated"], [
        api(),
        register(all, [mode]),
        touch("t0", 0, "read", sigbus),
        noEvent(),
      ]),
    );
  }
  const continues = t.modes.includes("minor") && t.ioctls.has("continue") && low.roles.has("getFolio") && t.populate;
  if (continues) {
    const via = t.populate!;
    // Not an injection: a fallocated folio (cached, never written) under the declared not-up-to-date policy.
    const nu = low.getFolio?.notUptodate;
    if (nu === "missing" || nu === "zero-fill") {
      out.push(
        scenario(
          t,
          "continue_not_uptodate_folio",
          nu === "missing"
            ? "CONTINUE on a fallocated page (cached, not up to date) is EFAULT: the lookup treats it as absent"
            : "CONTINUE on a fallocated page maps it zero-filled: the lookup clears it and marks it up to date",
          ["R40", "peterUptodate"],
          t.setup({ fallocated: [0] }),
          [api(), register(all, ["minor"]), nu === "missing" ? continueFails({ page: 0 }, "EFAULT", true) : continueOk(0, 1, ps)],
        ),
      );
    }
    out.push(
      inject("inject_lookup_misses_efault", "the page-cache lookup misses (the page was truncated): CONTINUE is EFAULT and nothing stays locked", ["R18"], ["lookup"], [
        api(),
        register(all, ["minor"]),
        fileWrite(0, 0x33, via),
        continueFails({ page: 0 }, "EFAULT", true),
      ]),
    );
    if (low.getFolio?.lookup === "filemap_get_entry") {
      out.push(
        inject("inject_lookup_truncated_efault", "the folio found was truncated while its lock was awaited: the lookup drops it and CONTINUE is EFAULT", ["R18", "R43"], ["lookup_truncated"], [
          api(),
          register(all, ["minor"]),
          fileWrite(0, 0x33, via),
          continueFails({ page: 0 }, "EFAULT", true),
        ]),
      );
    }
  }
  return out;
}

function withInjection(t: Target, sites: InjectSite[], exact: { site: InjectSite; nth?: number }[] = []) {
  const setup = t.setup();
  return { ...setup, declared: { ...setup.declared!, inject: [...sites.map((site) => ({ site })), ...exact] } };
}
