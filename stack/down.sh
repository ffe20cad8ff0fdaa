#!/usr/bin/env bash
# Stops what stack/up.sh started: the dashboard and functions servers (by their pids) and the project's cluster.
set -euo pipefail
source "$(dirname "$0")/env.sh"
for service in dashboard functions; do
  pidfile="$STACK_RUN_DIR/$service.pid"
  if [ -f "$pidfile" ]; then
    for pid in $(cat "$pidfile"); do
      if kill -0 "$pid" 2>/dev/null; then log "stopping $service (pid $pid)"; kill "$pid"; fi
    done
    rm -f "$pidfile"
  fi
done
if [ -f "$PGDATA/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  log "stopping Postgres"
  as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
fi
log "stopped"
