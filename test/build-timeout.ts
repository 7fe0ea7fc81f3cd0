/**
 * The vitest timeout of a test that builds a kernel object, a kernel tree or a
 * selftest: none. What bounds such a test is the work it does (a fixed set of
 * objects, each make run to its end), not the clock: on a busy machine the
 * same build takes longer and must still pass. A build that cannot
 * finish is a bug the test shows by never ending, not a flake.
 */
export const BUILD_TIMEOUT = 0;
