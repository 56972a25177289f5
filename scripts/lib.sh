# Shared paths and helpers for the service scripts. Sourced, not run.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES_DIR="${SERVICES_DIR:-$ROOT/.services}"
TEMPORAL_HOME="$SERVICES_DIR/temporal"
TEMPORAL_CLI_DIR="$SERVICES_DIR/temporal-cli"
TEMPORAL_BIN="$TEMPORAL_CLI_DIR/bin/temporal"
TEMPORAL_VERSION="1.9.1"
TEMPORAL_PORT="${TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"
CLICKHOUSE_HOME="$SERVICES_DIR/clickhouse"
CLICKHOUSE_HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"

log() { printf '[services] %s\n' "$*" >&2; }

# True when the pid in file $1 names a live process.
pid_alive() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# wait_for NAME SECONDS COMMAND...: retry COMMAND every 0.5 s until it succeeds or time runs out.
wait_for() {
  local name="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$name did not answer within ${seconds}s"
      return 1
    fi
    sleep 0.5
  done
}

clickhouse_ping() {
  [ "$(curl -fsS "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/ping" 2>/dev/null)" = "Ok." ]
}

temporal_ready() {
  "$TEMPORAL_BIN" operator namespace describe --address "127.0.0.1:$TEMPORAL_PORT" --namespace default
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PACKAGE...: installs Debian packages (apt-get update once per script).
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  # A server package's post-install tries to start a service and is refused without an init system: harmless.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null || true
}
