import type { RegisterMode } from "../../kernel/uapi.js";

/** All 8 MISSING/WP/MINOR combinations, as [ut register-ioctls] walks them. */
export function modeCombos(): RegisterMode[][] {
  const all: RegisterMode[] = ["missing", "wp", "minor"];
  const out: RegisterMode[][] = [];
  for (let m = 0; m < 8; m++) out.push(all.filter((_, i) => m & (1 << i)));
  return out;
}

export function modeName(modes: readonly RegisterMode[]): string {
  return modes.length ? modes.join("_") : "none";
}
