#!/usr/bin/env bash
# Installs the benchmark's peer loader, dlt with its DuckDB destination, into a Python venv at
# $ROOT/.services/dlt (git-ignored). Safe to run again: skips the install when the venv already has
# the pinned version. Run scripts/bench/dlt_peer.py with "$ROOT/.services/dlt/bin/python".
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DLT_VERSION="1.31.0"
DLT_VENV="$SERVICES_DIR/dlt"
DLT_PYTHON="$DLT_VENV/bin/python"

bench_log() { printf '[bench] %s\n' "$*" >&2; }

# True when the venv's python imports dlt at the pinned version and duckdb.
dlt_installed() {
  [ -x "$DLT_PYTHON" ] &&
    [ "$("$DLT_PYTHON" -c 'import importlib.metadata as m, duckdb; print(m.version("dlt"))' 2>/dev/null)" = "$DLT_VERSION" ]
}

if dlt_installed; then
  bench_log "dlt $DLT_VERSION already installed in $DLT_VENV"
  exit 0
fi

if [ ! -x "$DLT_PYTHON" ]; then
  bench_log "creating a Python venv at $DLT_VENV"
  mkdir -p "$SERVICES_DIR"
  if ! python3 -m venv "$DLT_VENV" >/dev/null 2>&1; then
    bench_log "python3 -m venv failed (is python3 with its venv module installed?)"
    exit 1
  fi
fi

bench_log "installing dlt[duckdb]==$DLT_VERSION into $DLT_VENV"
pip_log="$(mktemp)"
trap 'rm -f "$pip_log"' EXIT
if ! "$DLT_PYTHON" -m pip install --quiet --disable-pip-version-check --no-input \
  "dlt[duckdb]==$DLT_VERSION" >"$pip_log" 2>&1; then
  bench_log "pip install dlt[duckdb]==$DLT_VERSION failed; its last lines:"
  tail -n 20 "$pip_log" | sed 's/^/[bench]   /' >&2
  exit 1
fi

if ! dlt_installed; then
  bench_log "dlt $DLT_VERSION does not import from $DLT_VENV after the install"
  exit 1
fi
bench_log "dlt $DLT_VERSION installed"
