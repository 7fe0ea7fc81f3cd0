/**
 * Scenarios whose point is a declared strategy's consequence at run time. A
 * correct type passes them; a flawed strategy makes the simulator, which runs
 * the declared callbacks as their strategies, show the flaw.
 *
 * Most flaws are already caught by the functional scenarios:
 * - get_folio "lookup-or-create" allocates: minor_continue_without_folio_efault
 *   gets a mapping instead of EFAULT, minor_only_first_touch_no_event a MINOR event;
 * - putOnEarlyReturn false leaks a reference on every cached-page lookup:
 *   minor_read_continue and missing_minor_both end with a refcount finding;
 * - fault.raise "none": every MISSING/MINOR scenario waits for an event that never comes.
 */
import type { Scenario } from "../scenario.js";
import type { Target } from "./target.js";

export function strategyScenarios(_t: Target): Scenario[] {
  return [];
}
