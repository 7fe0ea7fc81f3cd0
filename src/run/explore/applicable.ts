/**
 * Is a program applicable to the type it runs on? A
 * program whose threads use an operation the type lacks would "pass"
 * vacuously: the operation fails at once, nothing races. Such a program is
 * reported "not applicable", with the reason, and not explored.
 *
 * What the type has is read from the simulated machine after the prologue:
 * the range ioctls REGISTER advertised (the type's own, through its
 * vm_uffd_ops), whether the mapping has a file and a descriptor, whether its
 * size can change, whether it is guest_memfd.
 */
import type { ProgramOp } from "../../ir/program.js";
import type { Step } from "../../ir/scenario.js";
import type { Simulation } from "../sim/simulation.js";
import { truncatable } from "../sim/fdops.js";

/** The reason the program cannot run as meant on this type, or null. */
export function notApplicable(sim: Simulation, ops: readonly ProgramOp[]): string | null {
  const ioctls = registeredIoctls(sim);
  for (const op of ops) {
    const why = op.op === "step" ? stepLacks(sim, op.step, ioctls) : op.op === "serve" ? serveLacks(op, ioctls) : op.op === "convert" ? convertLacks(sim) : null;
    if (why) return why;
  }
  return null;
}

/** The ioctls the prologue's REGISTER advertised, or null when the prologue registers nothing. */
function registeredIoctls(sim: Simulation): Set<string> | null {
  const reg = sim.results.filter((r) => r.op === "register" && r.observed.startsWith("ok"));
  if (!reg.length) return null;
  const out = new Set<string>();
  for (const r of reg) for (const i of /ioctls=(\S+)/.exec(r.observed)?.[1]?.split(",") ?? []) out.add(i);
  return out;
}

const IOCTL_OF: Partial<Record<Step["op"], string>> = { copy: "copy", zeropage: "zeropage", continue: "continue", poison: "poison", move: "move", writeprotect: "writeprotect" };

function stepLacks(sim: Simulation, s: Step, ioctls: Set<string> | null): string | null {
  const ioctl = IOCTL_OF[s.op];
  if (ioctl && ioctls && !ioctls.has(ioctl)) return `the type has no UFFDIO_${ioctl.toUpperCase()} on this range (REGISTER advertises ${[...ioctls].join(", ") || "none"})`;
  const v = sim.primary;
  const file = v.file;
  switch (s.op) {
    case "truncate":
      if (!file || !file.hasFd) return "ftruncate() needs a file descriptor, and this memory has none";
      if (!truncatable(sim.machine, file)) return "the type's file cannot change size (guest_memfd's setattr refuses it: kvm_gmem_setattr() is -EINVAL)";
      return null;
    case "fallocate":
    case "punch_hole":
      return !file || !file.hasFd ? `${s.op === "fallocate" ? `fallocate(${s.mode === "punch" ? "PUNCH_HOLE" : "0"})` : "fallocate(PUNCH_HOLE)"} needs a file descriptor, and this memory has none` : null;
    case "madvise":
      if (s.advice === "remove" && (!v.shared || !file)) return "MADV_REMOVE needs a shared file mapping (it punches a hole in the file)";
      return null;
    default:
      return null;
  }
}

function serveLacks(op: Extract<ProgramOp, { op: "serve" }>, ioctls: Set<string> | null): string | null {
  if (!ioctls) return null;
  const need = [op.missing, op.minor, op.wp ? "writeprotect" : undefined].filter((x): x is string => x !== undefined);
  for (const n of need) if (!ioctls.has(n)) return `the monitor resolves with UFFDIO_${n.toUpperCase()}, which the type does not offer on this range`;
  return null;
}

function convertLacks(sim: Simulation): string | null {
  const file = sim.primary.file;
  const gmem = file?.kind === "guest_memfd" || (file?.kind === "declared" && sim.machine.declared?.kernelKind === "guest_memfd");
  return gmem ? null : "in-place conversion to private is guest_memfd's; this memory is not guest_memfd";
}
