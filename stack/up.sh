#!/usr/bin/env bash
# Starts the local stack (Postgres 15 + pg_cron, Deno functions, the dashboard; ports and credentials
# from stack/local.env) and applies pending migrations. Idempotent: running it again only starts
# what is not running yet.
set -euo pipefail
source "$(dirname "$0")/env.sh"

"$STACK_ROOT/stack/install-os-packages.sh"
mkdir -p "$STACK_DIR" "$STACK_LOG_DIR" "$STACK_RUN_DIR"

# --- Postgres -------------------------------------------------------------------------------
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  log "creating cluster in $PGDATA"
  [ "$STACK_HOME" = "$STACK_DIR" ] || log "(the postgres OS user cannot enter $STACK_ROOT, so the cluster lives outside it)"
  mkdir -p "$PGDATA"
  chown "$PG_OWNER" "$PGDATA" "$STACK_RUN_DIR" "$STACK_LOG_DIR"
  pwfile="$STACK_RUN_DIR/pwfile"; echo "$STACK_DB_PASSWORD" > "$pwfile"; chown "$PG_OWNER" "$pwfile"
  as_owner "$PG_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$STACK_LOG_DIR/initdb.log"
  rm -f "$pwfile"
  cat >>"$PGDATA/postgresql.conf" <<CONF
# --- samia-tarot local stack ---
listen_addresses = '127.0.0.1'
port = $STACK_DB_PORT
unix_socket_directories = '$STACK_RUN_DIR'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.timezone = 'UTC'
timezone = 'UTC'
max_connections = 200
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
fsync = on
CONF
fi

# pg_cron runs jobs in background workers: no libpq login (the cluster uses password auth).
if ! grep -q '^cron.use_background_workers' "$PGDATA/postgresql.conf"; then
  printf 'cron.use_background_workers = on\nmax_worker_processes = 16\n' >>"$PGDATA/postgresql.conf"
  if as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    log "restarting Postgres for pg_cron background workers"
    as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$STACK_LOG_DIR/postgres.log" -w -t 60 restart -m fast >/dev/null
  fi
fi

if ! as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  log "starting Postgres on 127.0.0.1:$STACK_DB_PORT"
  as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$STACK_LOG_DIR/postgres.log" -w -t 60 start >/dev/null
fi
for _ in $(seq 1 60); do psql_db -c 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
psql_db -c 'select 1' >/dev/null

# --- Platform stand-in + migrations -------------------------------------------------------------
psql_db -f "$STACK_ROOT/stack/platform.sql" >/dev/null
log "applying migrations"
(cd "$STACK_ROOT" && npx --no-install supabase migration up --db-url "$DB_URL?sslmode=disable" >"$STACK_LOG_DIR/migrations.log" 2>&1) \
  || { cat "$STACK_LOG_DIR/migrations.log" >&2; exit 1; }

# --- Edge functions ---------------------------------------------------------------------------
"$STACK_ROOT/stack/functions-up.sh"
"$STACK_ROOT/stack/dashboard-up.sh"
log "ready: db $DB_URL  functions $STACK_FUNCTIONS_URL/<name>  dashboard $STACK_DASHBOARD_URL"
