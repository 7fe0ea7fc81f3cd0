/** Suites shared by the selftest emitter's tests. */
import type { Suite } from "../../src/ir/scenario.js";

const longThread = "a_worker_thread_with_a_rather_long_descriptive_name";

/** Text and names long enough that every comment and call has to wrap. */
export const wordy: Suite = {
  name: "wordy",
  title: "a suite whose title goes on and on, well past the eightieth column of any sensible line",
  scenarios: [
    {
      name: "wordy_case",
      title: "a scenario title long enough that it cannot share one comment line with the name in front of it",
      source: ["mm/userfaultfd.c and Documentation/admin-guide/mm/userfaultfd.rst, both read for this scenario", "https://example.org/a/very/long/path/that/cannot/be/broken/anywhere/because/it/has/no/spaces"],
      setup: { kind: "shmem", pages: 2, map: "shared" },
      steps: [
        { op: "api", features: ["event_remove"] },
        { op: "register", page: 0, pages: 2, modes: ["missing"] },
        {
          op: "madvise",
          thread: longThread,
          page: 0,
          pages: 1,
          advice: "dontneed",
          note: "the madvise runs in a worker thread because with EVENT_REMOVE it blocks until the monitor reads the event",
          expect: { outcome: "blocked" },
        },
        { op: "event", expect: { event: "remove", page: 0, pages: 1 } },
      ],
    },
  ],
};
