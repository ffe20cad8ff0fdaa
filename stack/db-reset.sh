#!/usr/bin/env bash
# Drops the `postgres` database and re-applies the platform stand-in and every migration.
set -euo pipefail
source "$(dirname "$0")/env.sh"
admin_url="${DB_URL%/*}/template1"
log "dropping and recreating database postgres"
psql "$admin_url" -v ON_ERROR_STOP=1 -q -c 'drop database if exists postgres with (force)' -c 'create database postgres'
# Dropping the database stops pg_cron's scheduler for good; a restart brings it back.
as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$STACK_LOG_DIR/postgres.log" -w -t 60 restart -m fast >/dev/null
psql_db -f "$STACK_ROOT/stack/platform.sql" >/dev/null
(cd "$STACK_ROOT" && npx --no-install supabase migration up --db-url "$DB_URL?sslmode=disable" >"$STACK_LOG_DIR/migrations.log" 2>&1) \
  || { cat "$STACK_LOG_DIR/migrations.log" >&2; exit 1; }
log "database reset"
