#!/usr/bin/env bash
# `npm run worker`: the worker as compiled JavaScript (built first if the sources changed).
# Its V8 heap is capped (WORKER_MAX_HEAP_MB, default 192): garbage from pages is collected early
# instead of growing the process. WORKER_NODE_FLAGS adds flags node takes only on its command line
# (e.g. --cpu-prof). Both are read like every setting (environment over .env) and checked: exit 2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
bash scripts/build.sh
flags="$(node dist/worker/launch-flags.js)" || exit $?
mapfile -t node_flags <<<"$flags"
exec node "${node_flags[@]}" dist/worker/main.js "$@"
