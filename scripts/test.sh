#!/usr/bin/env bash
# The whole test suite: type check, lint, unit tests, workflow tests (mocked activities, see
# scripts/test-quick.sh for the quick lane), and end-to-end tests against the real
# Temporal dev server, ClickHouse and the local API server. Starts the services if they are not
# running, and then stops them again when it is done.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

started_here=0
if ! { [ -x "$TEMPORAL_BIN" ] && temporal_ready >/dev/null 2>&1 && clickhouse_ping; }; then started_here=1; fi
bash scripts/services-start.sh
bash scripts/test-deps-install.sh
if [ "$started_here" = 1 ]; then trap 'bash "$ROOT/scripts/services-stop.sh"' EXIT; fi

echo "== type check, lint, format"
npx tsc --noEmit -p tsconfig.json
npx eslint --max-warnings 0 .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }

echo "== tests"
bash scripts/build.sh # the worker as `npm run worker` runs it (compiled)
# Mocha exits when the run ends ("exit" in package.json): a failed test can leave a connection open,
# and the suite must end with its verdict rather than wait on it.
npx mocha 'test/unit/**/*.test.ts' 'test/workflow/**/*.test.ts' 'test/e2e/**/*.test.ts'

# The benchmark at size S, once, as a smoke test of what it loads: the pipeline and the raw loader
# against the server's data, field for field (speed lives in docs/benchmark.md, not here).
echo "== benchmark smoke (size S)"
bash scripts/bench.sh --smoke

# A short soak: repeated syncs under random faults, source changes and worker kills, each compared
# exactly with the API's data (docs/reliability.md holds a long run's report).
echo "== soak (2 minutes)"
npx ts-node --transpile-only scripts/soak.ts --minutes 2
