#!/usr/bin/env bash
# The quick lane (`npm run test:quick`, about a minute): type check, lint, format check, unit tests,
# and the workflow tests (test/workflow: the workflows on a Temporal dev server of their own, started
# from the project's Temporal CLI, with in-memory activities). Needs no root and no running services:
# no ClickHouse, no API server, no shared Temporal server. `npm test` runs all of this and the rest.
#
# On two cores the stages run two at a time: the checks (CPU-bound) together, then both test lanes
# together (the workflow tests mostly wait on their server). Each stage's output is shown after it,
# in full when it failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

if [ ! -x "$TEMPORAL_BIN" ]; then
  echo "test:quick: the workflow tests need the Temporal CLI at $TEMPORAL_BIN." >&2
  echo "  Install it (no root needed): bash scripts/services-install.sh --temporal-cli" >&2
  exit 1
fi

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

# stage NAME COMMAND...: runs COMMAND in the background, its output into the stage's log.
stage() {
  local name="$1"
  shift
  (
    local start rc=0
    start="$(now_ms)"
    "$@" >"$logs/$name.log" 2>&1 || rc=$?
    echo "$rc $(($(now_ms) - start))" >"$logs/$name.done"
  ) &
}

# report NAME...: waits for the stages, prints each one's time (and its output if it failed).
failed=0
report() {
  wait
  local name rc ms
  for name in "$@"; do
    read -r rc ms <"$logs/$name.done"
    if [ "$rc" = 0 ]; then
      printf '== %-10s ok      %5s s\n' "$name" "$(secs "$ms")"
      # The test lanes' verdict line (the reporter's last), the rest is in the log.
      case "$name" in unit | workflow) tail -n 1 "$logs/$name.log" | sed 's/^/   /' ;; esac
    else
      printf '== %-10s FAILED  %5s s\n' "$name" "$(secs "$ms")"
      cat "$logs/$name.log"
      failed=1
    fi
  done
}

total_start="$(now_ms)"
stage tsc npx tsc --noEmit -p tsconfig.json
stage eslint npx eslint --max-warnings 0 .
stage prettier npx prettier --check --log-level warn .
report tsc eslint prettier

stage unit npx mocha 'test/unit/**/*.test.ts'
stage workflow npx mocha 'test/workflow/**/*.test.ts'
report unit workflow

printf '== total              %5s s\n' "$(secs $(($(now_ms) - total_start)))"
exit "$failed"
