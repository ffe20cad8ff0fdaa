#!/usr/bin/env bash
# Serves every edge function with Deno on :54321 in the background (as `supabase functions serve`),
# in STACK_FUNCTIONS_WORKERS processes (one pid per line in functions.pid).
set -euo pipefail
source "$(dirname "$0")/env.sh"
pidfile="$STACK_RUN_DIR/functions.pid"
health="http://127.0.0.1:$STACK_FUNCTIONS_PORT/_health"

if [ -f "$pidfile" ] && kill -0 "$(head -1 "$pidfile")" 2>/dev/null && curl -fsS "$health" >/dev/null 2>&1; then
  # Already serving: restart only when function code changed since it started (new or edited files).
  changed="$(find "$STACK_ROOT/supabase/functions" "$STACK_ROOT/stack/functions-server.ts" -newer "$pidfile" -type f -print -quit)"
  running="$(wc -l <"$pidfile")"
  [ -z "$changed" ] && [ "$running" = "$STACK_FUNCTIONS_WORKERS" ] && exit 0
  if [ -n "$changed" ]; then log "function code changed ($changed): restarting functions"
  else log "$running function processes running, $STACK_FUNCTIONS_WORKERS wanted: restarting functions"; fi
  # shellcheck disable=SC2046 # one pid per line
  kill $(cat "$pidfile") 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 $(cat "$pidfile") 2>/dev/null || break; sleep 0.1; done
fi
log "starting functions on 127.0.0.1:$STACK_FUNCTIONS_PORT ($STACK_FUNCTIONS_WORKERS processes)"
deno="$STACK_ROOT/node_modules/.bin/deno"
# A local asymmetric signing key set (public half) for ES256 user tokens; tests sign with the private half.
export SUPABASE_JWKS="${SUPABASE_JWKS:-$(cat "$STACK_ROOT/stack/local-jwks.json")}"
export STACK_FUNCTIONS_PORT SUPABASE_DB_URL
export SUPABASE_URL="${SUPABASE_URL:-http://127.0.0.1:$STACK_FUNCTIONS_PORT}"
# Supabase's local development credentials, as `supabase functions serve` provides them.
export SUPABASE_JWT_SECRET="${SUPABASE_JWT_SECRET:-super-secret-jwt-token-with-at-least-32-characters-long}"
export SUPABASE_ANON_KEY="${SUPABASE_ANON_KEY:-eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0}"
export SUPABASE_SERVICE_ROLE_KEY="${SUPABASE_SERVICE_ROLE_KEY:-eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU}"
local_secret_keys='{"default":"sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"}'
export SUPABASE_SECRET_KEYS="${SUPABASE_SECRET_KEYS:-$local_secret_keys}"
cd "$STACK_ROOT/supabase/functions"
# --unstable-net: Deno.serve's reusePort, for more than one process on the port.
: >"$pidfile.new"
for worker in $(seq 1 "$STACK_FUNCTIONS_WORKERS"); do
  [ "$worker" = 1 ] && out="$STACK_LOG_DIR/functions.log" || out="$STACK_LOG_DIR/functions-$worker.log"
  nohup "$deno" run --unstable-net --allow-net --allow-env --allow-read --config deno.json \
    "$STACK_ROOT/stack/functions-server.ts" >"$out" 2>&1 &
  echo $! >>"$pidfile.new"
done
mv "$pidfile.new" "$pidfile"
wait_healthy functions "$health" "$pidfile" "$STACK_LOG_DIR/functions.log"
