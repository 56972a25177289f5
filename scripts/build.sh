#!/usr/bin/env bash
# `npm run build`: compiles the worker, client and API server into dist/ (tsconfig.build.json), writes
# the prebuilt workflow bundle (dist/workflow-bundle.js) and the build id (dist/build-info.json,
# worker/build-id.ts). Does nothing when the id the last build recorded is the sources' id now: the
# id hashes every file that goes into the build, so an edit, a deletion or a checkout all count.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
if [ -f dist/build-info.json ] && [ -f dist/worker/build-id.js ] &&
  [ "$(sed -n 's/^ *"buildId": "\(.*\)".*$/\1/p' dist/build-info.json)" = "$(node dist/worker/build-id.js --sources 2>/dev/null)" ]; then
  exit 0
fi
# Taken from the sources (not an older compiled copy) before compiling: a source edited during the
# build gives the sources another id, so the next build runs again.
build_id="$("$ROOT/node_modules/.bin/ts-node" --transpile-only worker/build-id.ts --sources)"
rm -f dist/build-info.json # until the new build is complete, there is none
"$ROOT/node_modules/.bin/tsc" -p tsconfig.build.json
node dist/worker/build-workflow-bundle.js --dist "$build_id"
echo "built $build_id" >&2
