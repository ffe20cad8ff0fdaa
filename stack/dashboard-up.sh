#!/usr/bin/env bash
# Serves the dashboard on STACK_DASHBOARD_URL in the background (building it first if
# dashboard/dist is missing or stale). pid and log in .stack/; stopped by stack/down.sh.
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$STACK_LOG_DIR" "$STACK_RUN_DIR"
pidfile="$STACK_RUN_DIR/dashboard.pid"
health="${STACK_DASHBOARD_URL}_health"

# Build when dist is missing (a fresh clone) or older than any dashboard source (and the currency
# table it shares with ingest).
dist_index="$STACK_ROOT/dashboard/dist/index.html"
if [ ! -f "$dist_index" ] || [ -n "$(find "$STACK_ROOT/dashboard" "$STACK_ROOT/supabase/functions/_shared/iso4217.ts" -path "$STACK_ROOT/dashboard/dist" -prune -o -type f -newer "$dist_index" -print -quit)" ]; then
  log "building the dashboard"
  (cd "$STACK_ROOT" && npx --no-install vite build --config dashboard/vite.config.ts --logLevel warn)
fi
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && curl -fsS "$health" >/dev/null 2>&1; then
  exit 0
fi
log "starting dashboard on $STACK_DASHBOARD_URL"
cd "$STACK_ROOT"
nohup node --import tsx stack/dashboard-server.ts >"$STACK_LOG_DIR/dashboard.log" 2>&1 &
echo $! >"$pidfile"
wait_healthy dashboard "$health" "$pidfile" "$STACK_LOG_DIR/dashboard.log"
