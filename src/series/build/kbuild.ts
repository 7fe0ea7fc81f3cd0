/**
 * What kbuild makes of a source file: its object, and whether it is a module
 * of its own (obj-$(CONFIG_FOO) += foo.o with a tristate FOO). Read from the
 * directory's Makefile at the commit being built.
 */

export interface ObjectInfo {
  /** e.g. drivers/char/xram.o */
  readonly object: string;
  /** The Kconfig symbol that builds it, without CONFIG_ (undefined: always built in). */
  readonly symbol?: string;
  /** The module's name when it is a module of its own (the object's stem). */
  readonly module?: string;
}

export function objectOf(file: string): string {
  return file.replace(/\.c$/, ".o");
}

/** Is this path a kernel object's source (not a tool, selftest, script or doc)? */
export function isKernelSource(file: string): boolean {
  return file.endsWith(".c") && !/^(tools|scripts|Documentation|samples|usr)\//.test(file);
}

export function objectInfo(file: string, makefile: string | undefined): ObjectInfo {
  const object = objectOf(file);
  const stem = object.slice(object.lastIndexOf("/") + 1);
  if (!makefile) return { object };
  const re = new RegExp(`^obj-\\$\\(CONFIG_(\\w+)\\)\\s*\\+?=.*(?:^|\\s)${stem.replace(/[.]/g, "\\.")}(?:\\s|$)`, "m");
  const m = re.exec(makefile);
  return m ? { object, symbol: m[1]!, module: stem.replace(/\.o$/, "") } : { object };
}
