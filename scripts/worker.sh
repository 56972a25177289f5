#!/usr/bin/env bash
# `npm run worker`: the worker as compiled JavaScript (built first if the sources changed).
# Its memory is bounded by limits derived from the machine (config/worker-resources.ts): the V8 heap
# (WORKER_MAX_HEAP_MB, WORKER_SEMI_SPACE_MB), so that garbage from pages is collected early instead
# of growing the process, and glibc's malloc arenas (MALLOC_ARENA_MAX), which glibc reads only from
# the environment node starts with. WORKER_NODE_FLAGS adds flags node takes only on its command line
# (e.g. --cpu-prof). All are read like every setting (environment over .env) and checked: exit 2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
bash scripts/build.sh
launch="$(node dist/worker/launch-flags.js)" || exit $?
mapfile -t lines <<<"$launch"
node_env=()
node_flags=()
for line in "${lines[@]}"; do
  case "$line" in
  -*) node_flags+=("$line") ;;
  *=*) node_env+=("$line") ;;
  esac
done
# `env` execs node in turn: the worker keeps this script's pid.
exec env "${node_env[@]}" node "${node_flags[@]}" dist/worker/main.js "$@"
