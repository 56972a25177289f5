#!/usr/bin/env bash
# Installs what is missing, then starts the Temporal dev server (with its Web UI) and ClickHouse in
# the background with the project's own settings and data under .services/, and waits until both
# answer. Running it while they already run changes nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
bash "$ROOT/scripts/services-install.sh"

# End-to-end tests run in a namespace of their own, so they stay out of the runs a user browses.
TEMPORAL_TEST_NAMESPACE=clockodo-e2e

# already_answers NAME PIDFILE PORT CHECK: true (and says so) when a server answers CHECK already,
# ours (by its pid file) or another one on the same port, which is then used as it is.
already_answers() {
  local name="$1" pidfile="$2" port="$3" check="$4"
  "$check" >/dev/null 2>&1 || return 1
  if pid_alive "$pidfile"; then
    log "$name already running (pid $(cat "$pidfile"))"
  else
    log "a $name server already answers on port $port; using it"
  fi
}

start_temporal() {
  mkdir -p "$TEMPORAL_HOME"
  already_answers Temporal "$TEMPORAL_HOME/server.pid" "$TEMPORAL_PORT" temporal_ready && return
  local attrs=()
  while IFS= read -r spec; do attrs+=(--search-attribute "$spec"); done < <(
    node -e 'const a = require(process.argv[1]); for (const [k, t] of Object.entries(a)) console.log(`${k}=${t}`);' \
      "$ROOT/config/search-attributes.json"
  )
  # The database outlives the server, and each e2e test file's worker is a deployment of its own (its task
  # queue's name): the default limit of 100 per namespace would refuse pollers after two or three `npm test`s.
  log "starting Temporal dev server on 127.0.0.1:$TEMPORAL_PORT (Web UI http://127.0.0.1:$TEMPORAL_UI_PORT)"
  nohup "$TEMPORAL_BIN" server start-dev \
    --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "$TEMPORAL_HOME/temporal.db" --log-level warn "${attrs[@]}" \
    --namespace "$TEMPORAL_TEST_NAMESPACE" \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --dynamic-config-value system.enableActivityEagerExecution=true \
    --dynamic-config-value matching.maxDeployments=5000 \
    >"$TEMPORAL_HOME/server.log" 2>&1 </dev/null &
  echo $! >"$TEMPORAL_HOME/server.pid"
  wait_for "Temporal" 60 temporal_ready || { tail -n 20 "$TEMPORAL_HOME/server.log" >&2; exit 1; }
}

start_clickhouse() {
  mkdir -p "$CLICKHOUSE_HOME"/{config,data,tmp,log,user_files,format_schemas}
  already_answers ClickHouse "$CLICKHOUSE_HOME/server.pid" "$CLICKHOUSE_HTTP_PORT" clickhouse_ping && return
  sed -e "s#@DATA_DIR@#$CLICKHOUSE_HOME#g" -e "s#@CONFIG_DIR@#$CLICKHOUSE_HOME/config#g" \
    -e "s#@HTTP_PORT@#$CLICKHOUSE_HTTP_PORT#g" -e "s#@TCP_PORT@#$CLICKHOUSE_TCP_PORT#g" \
    "$ROOT/clickhouse/server-config/config.xml.template" >"$CLICKHOUSE_HOME/config/config.xml"
  cp "$ROOT/clickhouse/server-config/users.xml" "$CLICKHOUSE_HOME/config/users.xml"
  log "starting ClickHouse on 127.0.0.1:$CLICKHOUSE_HTTP_PORT"
  nohup clickhouse-server --config-file="$CLICKHOUSE_HOME/config/config.xml" \
    >"$CLICKHOUSE_HOME/log/stdout.log" 2>&1 </dev/null &
  echo $! >"$CLICKHOUSE_HOME/server.pid"
  wait_for "ClickHouse" 60 clickhouse_ping || { tail -n 20 "$CLICKHOUSE_HOME/log/clickhouse-server.err.log" >&2; exit 1; }
}

start_temporal
start_clickhouse
log "ready: Temporal 127.0.0.1:$TEMPORAL_PORT, Web UI http://127.0.0.1:$TEMPORAL_UI_PORT, ClickHouse http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"
