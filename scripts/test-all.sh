#!/usr/bin/env bash
# The one test command: installs what the tests need, runs every suite (typecheck, lint, unit, e2e) and
# prints one closing line "N passed, N failed" summed over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --browser || { echo "0 passed, 1 failed"; exit 1; }

rm -rf test-results
mkdir -p test-results
status=0
run() {
  local name=$1; shift
  echo "::: $name"
  if "$@"; then echo "ok $name" >> test-results/suites.txt; else echo "FAIL $name" >> test-results/suites.txt; status=1; fi
}
run typecheck npm run --silent typecheck
run lint npm run --silent lint
run contracts npm run --silent build:contracts
run unit npm run --silent test:unit
run e2e npm run --silent test:e2e
node scripts/test-summary.mjs || status=1
exit $status
