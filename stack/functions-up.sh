#!/usr/bin/env bash
# Serves every edge function with Deno on STACK_FUNCTIONS_PORT in the background (as `supabase
# functions serve`), in STACK_FUNCTIONS_WORKERS processes (one pid per line in functions.pid). The
# functions get their configuration the way hosted Supabase gives it, built here from the local
# settings (stack/local.env): deployed code has no defaults of its own.
set -euo pipefail
source "$(dirname "$0")/env.sh"
pidfile="$STACK_RUN_DIR/functions.pid"
health="$STACK_SUPABASE_URL/_health"

if [ -f "$pidfile" ] && kill -0 "$(head -1 "$pidfile")" 2>/dev/null && curl -fsS "$health" >/dev/null 2>&1; then
  # Already serving: restart only when function code or settings changed since it started.
  changed="$(find "$STACK_ROOT/supabase/functions" "$STACK_ROOT/stack/functions-server.ts" "$STACK_ROOT/stack/local.env" \
    "$STACK_ROOT/$STACK_JWKS_FILE" "$STACK_ROOT/.stack.env" -newer "$pidfile" -type f -print -quit 2>/dev/null || true)"
  running="$(wc -l <"$pidfile")"
  [ -z "$changed" ] && [ "$running" = "$STACK_FUNCTIONS_WORKERS" ] && exit 0
  if [ -n "$changed" ]; then log "function code or settings changed ($changed): restarting functions"
  else log "$running function processes running, $STACK_FUNCTIONS_WORKERS wanted: restarting functions"; fi
  # shellcheck disable=SC2046 # one pid per line
  kill $(cat "$pidfile") 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 $(cat "$pidfile") 2>/dev/null || break; sleep 0.1; done
fi
log "starting functions on $STACK_SUPABASE_URL ($STACK_FUNCTIONS_WORKERS processes)"
deno="$STACK_ROOT/node_modules/.bin/deno"
# What hosted Supabase gives every function (docs/deploying.md), with the local values.
export SUPABASE_URL="$STACK_SUPABASE_URL"
export SUPABASE_DB_URL="$STACK_DB_URL"
SUPABASE_JWKS="$(cat "$STACK_ROOT/$STACK_JWKS_FILE")"
export SUPABASE_JWKS
# Two backend keys: each has its own ingest quota (tests/ingest/quota.test.ts).
export SUPABASE_SECRET_KEYS="{\"default\":\"$STACK_SECRET_KEY\",\"second\":\"$STACK_SECOND_SECRET_KEY\"}"
export SUPABASE_PUBLISHABLE_KEYS="{\"default\":\"$STACK_PUBLISHABLE_KEY\"}"
export SUPABASE_ANON_KEY="$STACK_ANON_KEY"
export SUPABASE_SERVICE_ROLE_KEY="$STACK_SERVICE_ROLE_KEY"
# And the one custom secret the local stack sets: its HS256 secret, which signs the demo tokens
# (as `supabase start` signs with the legacy JWT secret). A hosted project sets it only to accept
# HS256 user tokens (docs/deploying.md).
export AUTH_JWT_SECRET="$STACK_JWT_SECRET"
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
