#!/usr/bin/env bash
# `npm run bench -- [--sizes S,M,L] [--runs N] [--dlt-sizes S,M] [--loaders pipeline,raw,plain,dlt]
#   [--all-resources] [--report FILE] [--smoke]`:
# installs and starts what the benchmark needs (Temporal dev server, ClickHouse, dlt for the peer
# runs), runs scripts/bench/main.ts, and stops the services again if it started them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
[ -d node_modules ] || npm ci --no-audit --no-fund

started_here=0
if ! { [ -x "$TEMPORAL_BIN" ] && temporal_ready >/dev/null 2>&1 && clickhouse_ping; }; then started_here=1; fi
bash scripts/services-start.sh
if [ "$started_here" = 1 ]; then trap 'bash "$ROOT/scripts/services-stop.sh"' EXIT; fi

# dlt runs at S and M unless --dlt-sizes says otherwise (empty: none), or --loaders leaves it out;
# --smoke runs none.
dlt_sizes="S,M"
prev=""
for arg in "$@"; do
  [ "$prev" = "--dlt-sizes" ] && dlt_sizes="$arg"
  [ "$prev" = "--loaders" ] && [[ ",$arg," != *,dlt,* ]] && dlt_sizes=""
  [ "$arg" = "--smoke" ] && dlt_sizes=""
  prev="$arg"
done
if [ -n "$dlt_sizes" ]; then bash scripts/bench/dlt-install.sh; fi

"$ROOT/node_modules/.bin/ts-node" --transpile-only scripts/bench/main.ts "$@"
