#!/usr/bin/env bash
# `npm run worker`: the worker as compiled JavaScript (built first if the sources changed).
# Its V8 heap is capped (WORKER_MAX_HEAP_MB, default 192): garbage from pages is collected early
# instead of growing the process. WORKER_NODE_FLAGS adds flags node takes only on its command line
# (e.g. --cpu-prof).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
bash scripts/build.sh
# shellcheck disable=SC2086 # WORKER_NODE_FLAGS is a list of flags
exec node --max-old-space-size="${WORKER_MAX_HEAP_MB:-192}" ${WORKER_NODE_FLAGS:-} dist/worker/main.js "$@"
