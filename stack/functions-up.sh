#!/usr/bin/env bash
# Serves every edge function with Deno on :54321 in the background (as `supabase functions serve`).
set -euo pipefail
source "$(dirname "$0")/env.sh"
pidfile="$STACK_RUN_DIR/functions.pid"
health="http://127.0.0.1:$STACK_FUNCTIONS_PORT/_health"

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && curl -fsS "$health" >/dev/null 2>&1; then
  exit 0
fi
log "starting functions on 127.0.0.1:$STACK_FUNCTIONS_PORT"
deno="$STACK_ROOT/node_modules/.bin/deno"
export STACK_FUNCTIONS_PORT SUPABASE_DB_URL
export SUPABASE_URL="${SUPABASE_URL:-http://127.0.0.1:$STACK_FUNCTIONS_PORT}"
cd "$STACK_ROOT/supabase/functions"
nohup "$deno" run --allow-net --allow-env --allow-read --config deno.json \
  "$STACK_ROOT/stack/functions-server.ts" >"$STACK_LOG_DIR/functions.log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 1 240); do
  curl -fsS "$health" >/dev/null 2>&1 && exit 0
  kill -0 "$(cat "$pidfile")" 2>/dev/null || break
  sleep 0.5
done
echo "[stack] functions did not become healthy; log:" >&2
tail -50 "$STACK_LOG_DIR/functions.log" >&2
exit 1
