#!/usr/bin/env bash
# The main job end to end on the embedded default: services, the local API server, a worker, a full
# sync and a short report of what landed; then an edit through the local API server reaches ClickHouse
# in seconds through its webhook (the receiver, `npm run webhooks`, and the changes workflow).
# Extra arguments go to start-sync (e.g. --full-refresh).
# Temporal and ClickHouse keep running afterwards (Web UI on :8233); `npm run services:stop` stops them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
bash scripts/services-start.sh

DEMO_DIR="$SERVICES_DIR/demo"
mkdir -p "$DEMO_DIR"
TS_NODE="$ROOT/node_modules/.bin/ts-node"
API_PORT="${API_SERVER_PORT:-8787}"
WEBHOOK_LISTEN="${WEBHOOK_LISTEN:-127.0.0.1:8790}"
# A token of this demo's own: the local API server signs its webhooks with it, the receiver checks it.
WEBHOOK_TOKEN="${WEBHOOK_TOKEN:-$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))')}"
export WEBHOOK_LISTEN WEBHOOK_TOKEN
webhook_demo=0
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

api_up() { curl -s -o /dev/null "http://127.0.0.1:$API_PORT/api/v2/projects"; }
# The local API server is the default source; a user pointing CLOCKODO_BASE_URL elsewhere needs none.
if [ -z "${CLOCKODO_BASE_URL:-}" ] || [[ "$CLOCKODO_BASE_URL" == "http://127.0.0.1:$API_PORT"* ]]; then
  if ! api_up; then
    log "starting the local Clockodo API server on 127.0.0.1:$API_PORT (log: $DEMO_DIR/api-server.log)"
    API_SERVER_PORT="$API_PORT" API_WEBHOOK_URL="http://$WEBHOOK_LISTEN/clockodo" API_WEBHOOK_TOKEN="$WEBHOOK_TOKEN" \
      "$TS_NODE" --transpile-only api-server/main.ts >"$DEMO_DIR/api-server.log" 2>&1 &
    pids+=($!)
    webhook_demo=1
    wait_for "the API server" 60 api_up || { cat "$DEMO_DIR/api-server.log" >&2; exit 1; }
  fi
  head -n 1 "$DEMO_DIR/api-server.log" >&2 || true
fi

log "starting a worker (log: $DEMO_DIR/worker.log)"
# The demo's worker is the only one of its task queue: its build becomes current even when an earlier
# demo ran another build of the sources (docs/operations.md, "Deploying a new build").
WORKER_DEPLOYMENT_PROMOTE="${WORKER_DEPLOYMENT_PROMOTE:-always}" bash scripts/worker.sh >"$DEMO_DIR/worker.log" 2>&1 &
pids+=($!)

if [ "$webhook_demo" = 1 ]; then
  log "starting the webhook receiver on $WEBHOOK_LISTEN (log: $DEMO_DIR/webhooks.log)"
  "$TS_NODE" --transpile-only client/webhooks.ts >"$DEMO_DIR/webhooks.log" 2>&1 &
  pids+=($!)
fi

status=0
"$TS_NODE" --transpile-only client/start-sync.ts "$@" || status=$?
echo
"$TS_NODE" --transpile-only client/report.ts || status=$?
echo
if [ "$webhook_demo" = 1 ] && [ "$status" = 0 ]; then
  wait_for "the webhook receiver" 60 grep -q 'webhook receiver listening' "$DEMO_DIR/webhooks.log" ||
    { cat "$DEMO_DIR/webhooks.log" >&2; exit 1; }
  "$TS_NODE" --transpile-only scripts/demo-webhook-edit.ts || status=$?
  echo
fi
echo "Temporal Web UI: http://127.0.0.1:$TEMPORAL_UI_PORT (Temporal and ClickHouse keep running; stop them with: npm run services:stop)"
exit "$status"
