#!/usr/bin/env bash
# Compiles the worker, client and API server into dist/ (tsconfig.build.json) when a source is newer
# than the last build: a worker runs as plain JavaScript, without the TypeScript compiler in its memory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
STAMP="dist/.build-stamp"
SOURCES=(worker workflows activities clickhouse config shared client api-server tsconfig.json tsconfig.build.json package-lock.json)
if [ -f "$STAMP" ] && [ -z "$(find "${SOURCES[@]}" -newer "$STAMP" -print -quit)" ]; then exit 0; fi
"$ROOT/node_modules/.bin/tsc" -p tsconfig.build.json
touch "$STAMP"
