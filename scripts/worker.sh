#!/usr/bin/env bash
# `npm run worker`: the worker as compiled JavaScript (built first if the sources changed).
# Its V8 heap is capped (WORKER_MAX_HEAP_MB, default 192): garbage from pages is collected early
# instead of growing the process; NODE_OPTIONS can say otherwise.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
bash scripts/build.sh
exec node --max-old-space-size="${WORKER_MAX_HEAP_MB:-192}" dist/worker/main.js "$@"
