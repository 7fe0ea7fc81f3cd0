import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Kernel-facing tests fork children and compile C; keep them from fighting over 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
    // No wall-clock limit on a test or a hook: CI runners are shared, and a limit that load
    // can exceed turns a busy machine into a red run. What bounds a test is its work: child
    // processes carry their own kill bounds (the kernel runner, exec'd specs, QEMU guests),
    // and the CI job's own time limit catches a real hang.
    testTimeout: 0,
    hookTimeout: 0,
  },
});
