# Local stack settings, sourced by every stack script. Override any of them from the
# environment (e.g. STACK_DB_PORT=55432) to run a second stack beside the default one.
STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Optional, git-ignored per-checkout overrides (e.g. other ports for a second worktree).
[ -f "$STACK_ROOT/.stack.env" ] && source "$STACK_ROOT/.stack.env"
STACK_DIR="${STACK_DIR:-$STACK_ROOT/.stack}"
STACK_DB_PORT="${STACK_DB_PORT:-54322}"
STACK_FUNCTIONS_PORT="${STACK_FUNCTIONS_PORT:-54321}"
# Function server processes sharing the port (SO_REUSEPORT). One by default, as `supabase functions
# serve` (per-isolate caches then behave predictably in tests); the benchmark asks for 2: hosted
# Supabase runs a function in as many isolates as its load needs, and one Deno process uses one core.
STACK_FUNCTIONS_WORKERS="${STACK_FUNCTIONS_WORKERS:-1}"
STACK_DASHBOARD_PORT="${STACK_DASHBOARD_PORT:-54323}"
export STACK_DB_PORT STACK_FUNCTIONS_PORT STACK_DASHBOARD_PORT STACK_FUNCTIONS_WORKERS
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PGDATA="$STACK_DIR/pgdata"
STACK_LOG_DIR="$STACK_DIR/logs"
STACK_RUN_DIR="$STACK_DIR/run"
DB_URL="postgresql://postgres:postgres@127.0.0.1:${STACK_DB_PORT}/postgres"
export PGPASSWORD=postgres
export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"
export SUPABASE_DB_URL="${SUPABASE_DB_URL:-$DB_URL}"

# initdb refuses to run as root: the cluster then belongs to the postgres OS user.
if [ "$(id -u)" = 0 ]; then PG_OWNER=postgres; else PG_OWNER="$(id -un)"; fi

as_owner() {
  if [ "$(id -un)" = "$PG_OWNER" ]; then "$@"; else runuser -u "$PG_OWNER" -- "$@"; fi
}

psql_db() { psql "$DB_URL" -v ON_ERROR_STOP=1 -q "$@"; }

log() { printf '[stack] %s\n' "$*"; }

# wait_healthy NAME URL PIDFILE LOGFILE: waits up to ~60 s for URL to answer while the (first)
# process of PIDFILE lives; on failure prints the log's tail and returns 1.
wait_healthy() {
  local name="$1" url="$2" pidfile="$3" logfile="$4"
  for _ in $(seq 1 240); do
    curl -fsS "$url" >/dev/null 2>&1 && return 0
    kill -0 "$(head -1 "$pidfile")" 2>/dev/null || break
    sleep 0.25
  done
  echo "[stack] $name did not become healthy; log:" >&2
  tail -30 "$logfile" >&2
  return 1
}
