import { describe, expect, it } from "vitest";
import { parseExports, symversFor } from "../../src/series/build/symvers.js";

describe("the export table modpost checks modules against", () => {
  const exports = parseExports(
    'EXPORT_SYMBOL_NS_GPL(foo,\n\tNS);\nEXPORT_SYMBOL_GPL_FOR_MODULES(bar, "kvm");\nEXPORT_SYMBOL(baz);\nEXPORT_SYMBOL_NS(q, QNS);\nEXPORT_SYMBOL_FOR_KVM(k);\n#define EXPORT_SYMBOL_FOR_KVM(sym) EXPORT_SYMBOL_GPL(sym)\n',
  );

  it("reads every kind of export, licence and namespace, and skips the macros' own definitions", () => {
    expect(exports.map((e) => [e.symbol, e.license, e.namespace])).toEqual([
      ["foo", "EXPORT_SYMBOL_GPL", "NS"],
      ["bar", "EXPORT_SYMBOL_GPL", ""],
      ["baz", "EXPORT_SYMBOL", ""],
      ["q", "EXPORT_SYMBOL", "QNS"],
      ["k", "EXPORT_SYMBOL_GPL", ""],
    ]);
  });

  it("a module-restricted export is plain for a listed module and namespaced away for any other", () => {
    expect(symversFor(exports, "kvm")).toContain("0x00000000\tbar\tvmlinux\tEXPORT_SYMBOL_GPL\t\n");
    expect(symversFor(exports, "kvm-intel")).toContain("\tk\tvmlinux\tEXPORT_SYMBOL_GPL\t\n");
    expect(symversFor(exports, "xram")).toContain("\tbar\tvmlinux\tEXPORT_SYMBOL_GPL\tmodule:kvm\n");
    expect(symversFor(exports, "xram")).toMatch(/\tk\tvmlinux\tEXPORT_SYMBOL_GPL\tmodule:kvm,/);
  });
});
