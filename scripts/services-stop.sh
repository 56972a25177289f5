#!/usr/bin/env bash
# Stops the services that services-start.sh started (and only those: it goes by its own pid files).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_pidfile() {
  local name="$1" pidfile="$2"
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return
  fi
  local pid
  pid="$(cat "$pidfile")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
}

stop_pidfile "Temporal" "$TEMPORAL_HOME/server.pid"
stop_pidfile "ClickHouse" "$CLICKHOUSE_HOME/server.pid"
