#!/usr/bin/env bash
# Every test: the project-wide typecheck, the vitest suites (unit, CLI, C compile checks, checkpatch, real
# kernel runs), conformance of the simulator with this machine's kernel, and the
# freshness of the committed out/. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1

mkdir -p .cache
failed_stages=()

echo "== typecheck (src, tests, examples, bench)"
npm run --silent typecheck || failed_stages+=(typecheck)

npx vitest run --reporter=default --reporter=json --outputFile=.cache/vitest.json
vitest_rc=$?
[ $vitest_rc -eq 0 ] || failed_stages+=(vitest)
# A test that skips because what it needs is missing (kernel headers, checkpatch, the build)
# has not run: here, where the set-up installed everything, a skip is a failure.
skipped=$(node -e 'const r = JSON.parse(require("fs").readFileSync(".cache/vitest.json", "utf8")); console.log(r.numPendingTests + r.numTodoTests)')
if [ "${skipped:-0}" -gt 0 ]; then
	echo "FAILED: $skipped test(s) skipped; every test must run (see the SKIPPED/skipped reasons above)" >&2
	failed_stages+=(skipped)
fi

echo "== conform: simulator vs this machine's kernel"
node bin/uffdkit.js conform || failed_stages+=(conform)

# ---- stage conform-vm (issue 22, branch h5-qemu): Debian 6.1 and 6.12 in QEMU guests.
# Budget about 10 minutes on a fresh 2-core machine (see /work/coord/NOTES.md);
# UFFDKIT_CI_VM=0 leaves it out; scripts/vm-ci.sh --built adds a built 6.12 (opt-in).
if [ "${UFFDKIT_CI_VM:-1}" != 0 ]; then
	echo "== conform in QEMU guests: Debian 6.1 and 6.12"
	scripts/vm-ci.sh || failed_stages+=(conform-vm)
fi
# ---- end of stage conform-vm

echo "== out/ is what gen makes of examples/"
node scripts/check-out.mjs || failed_stages+=(out-fresh)

node -e '
const r = JSON.parse(require("fs").readFileSync(".cache/vitest.json", "utf8"));
const extra = process.argv.slice(1).filter(Boolean);
const stages = 3; // typecheck, conform, out-fresh
const own = extra.filter(s => s !== "vitest" && s !== "skipped");
const passed = r.numPassedTests + (stages - own.length);
const failed = r.numFailedTests + own.length + (extra.includes("skipped") ? r.numPendingTests + r.numTodoTests : 0);
console.log(`${passed} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "${failed_stages[@]:-}"

if [ ${#failed_stages[@]} -gt 0 ]; then
	echo "FAILED stages: ${failed_stages[*]}" >&2
	exit 1
fi
