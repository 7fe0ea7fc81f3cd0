import { describe, expect, it } from "vitest";
import { parseGuestResults, testKey } from "../../src/run/vm/results.js";
import { consoleFindings } from "../../src/run/vm/console.js";
import { moduleDepends, moduleName, loadOrder } from "../../src/run/vm/modules.js";

describe("guest results (ttyS1)", () => {
  it("reads facts, each test's output and status, CR LF and all", () => {
    const text = [
      "@@uffdkit facts release=6.12.118+deb12-amd64",
      "@@uffdkit facts virt=amd",
      "@@uffdkit facts insmod-failed=ccp:insmod: can't insert",
      "@@uffdkit facts kvm=present",
      "@@uffdkit facts hugepages_free=12",
      "@@uffdkit ran anon_uffd_test global.a",
      "@@uffdkit begin anon_uffd_test global.a",
      "# uffdkit: setup: ok",
      "ok 1 global.a",
      "@@uffdkit end rc=0",
      "@@uffdkit begin anon_uffd_test global.b",
      "@@uffdkit end rc=137",
      "@@uffdkit done",
    ].join("\r\n");
    const r = parseGuestResults(text);
    expect(r.facts).toMatchObject({ release: "6.12.118+deb12-amd64", virt: "amd", kvm: true, hugePagesFree: 12, insmodFailed: ["ccp:insmod: can't insert"] });
    expect(r.tests.get(testKey("anon_uffd_test", "global.a"))).toEqual({ output: "# uffdkit: setup: ok\nok 1 global.a", rc: 0 });
    expect(r.tests.get(testKey("anon_uffd_test", "global.b"))?.rc).toBe(137);
    expect(r.ran).toBe(1);
    expect(r.done).toBe(true);
  });

  it("a guest cut short is not done, and a test with no end line has no result", () => {
    const r = parseGuestResults("@@uffdkit facts kvm=absent\n@@uffdkit begin x global.a\npartial");
    expect(r.done).toBe(false);
    expect(r.facts.kvm).toBe(false);
    expect(r.tests.size).toBe(0);
  });
});

describe("console findings", () => {
  it("finds lockdep, BUG and WARNING reports once each, without timestamps", () => {
    const text = [
      "[    1.000000] Linux version 6.12.0",
      "[    2.000000] WARNING: possible recursive locking detected",
      "[    2.000001] 6.12.0 #1 Not tainted",
      "[    3.000000] kernel BUG at mm/userfaultfd.c:123!",
      "[    4.000000] WARNING: CPU: 1 PID: 77 at mm/memory.c:42 do_thing+0x1/0x2",
    ].join("\n");
    const f = consoleFindings(text);
    expect(f.map((x) => x.kind)).toEqual(["lockdep", "bug", "warning"]);
    expect(f[0]!.line).toBe("WARNING: possible recursive locking detected");
    expect(f[0]!.excerpt).toContain("Not tainted");
    expect(consoleFindings("[    1.0] all quiet\n")).toEqual([]);
  });
});

describe("module load order", () => {
  it("reads depends= from .modinfo and orders dependencies first", () => {
    const ko = Buffer.from("\x7fELF....\0license=GPL\0depends=kvm,ccp\0retpoline=Y\0", "latin1");
    expect(moduleDepends(ko)).toEqual(["kvm", "ccp"]);
    expect(moduleName("kvm-amd.ko.xz")).toBe("kvm_amd");
    const deps: Record<string, string[]> = { kvm_amd: ["kvm", "ccp"], kvm: ["irqbypass"], ccp: [], irqbypass: [] };
    expect(loadOrder(["kvm_amd"], (n) => deps[n] ?? [])).toEqual(["irqbypass", "kvm", "ccp", "kvm_amd"]);
  });
});
