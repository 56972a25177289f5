#!/usr/bin/env bash
# Makes the fixture test/e2e/table-upgrade.test.ts upgrades from: the tables, views and state tables
# an earlier release leaves after a full and an incremental sync of the fixed demo dataset
# (test/fixtures/previous-release/dataset.json). Run on purpose, never by the tests; needs the
# services (npm run services:start).
#   scripts/previous-release.sh <commit> <fixture name> [resource,...]
# e.g. scripts/previous-release.sh f676e3f f676e3f
# A release that cannot read every resource of its preset is given the ones it can.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMIT="${1:?usage: previous-release.sh <commit> <fixture name>}"
NAME="${2:?usage: previous-release.sh <commit> <fixture name>}"
FIXTURES="$ROOT/test/fixtures/previous-release"
OLD="$(mktemp -d /tmp/old-release.XXXXXX)"
cleanup() { git -C "$ROOT" worktree remove --force "$OLD" >/dev/null 2>&1 || rm -rf "$OLD"; }
trap cleanup EXIT

git -C "$ROOT" worktree add --detach "$OLD" "$COMMIT" >/dev/null
ln -s "$(readlink -f "$ROOT/node_modules")" "$OLD/node_modules"
mkdir -p "$OLD/scripts"
cp "$ROOT/scripts/previous-release.ts" "$OLD/scripts/previous-release.ts"
rm -rf "${FIXTURES:?}/$NAME"
(cd "$OLD" && SERVICES_DIR="$OLD/.services" npx ts-node --transpile-only scripts/previous-release.ts \
  "$FIXTURES/dataset.json" "$FIXTURES/$NAME" ${3:+"$3"})
printf '%s %s\n' "$(git -C "$ROOT" rev-parse "$COMMIT")" "${3:-all resources}" >"$FIXTURES/$NAME/COMMIT"
du -sh "$FIXTURES/$NAME"
