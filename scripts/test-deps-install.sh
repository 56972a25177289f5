#!/usr/bin/env bash
# Installs what only the test suite needs, beyond the services (scripts/services-install.sh):
# Debian's chromium (the Web UI test), zookeeper and openssl (the ClickHouse cluster and TLS tests),
# and PyPI's chdb (the statement check on today's ClickHouse). Safe to run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

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
