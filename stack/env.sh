# Local stack settings, sourced by every stack script. The values come from stack/local.env (the
# one place for them), overridden by the checkout's git-ignored .stack.env and by the environment
# (e.g. STACK_DB_PORT=55432) to run a second stack beside the default one.
STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# read_settings FILE: NAME=value lines (optional `export `, optional quotes) → "NAME<TAB>value".
read_settings() {
  local line name value
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    name="${BASH_REMATCH[2]}" value="${BASH_REMATCH[3]}"
    [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]] && value="${BASH_REMATCH[1]}"
    printf '%s\t%s\n' "$name" "$value"
  done <"$1"
}

# load_settings: exports every setting of stack/local.env (and any other name .stack.env sets),
# taking the environment's value first, then .stack.env's, then the file's; ${NAME} expands to a
# setting loaded before it. stack/local-settings.ts does the same for TypeScript.
load_settings() {
  local -A override=()
  local name value ref overrides=/dev/null
  [ -f "$STACK_ROOT/.stack.env" ] && overrides="$STACK_ROOT/.stack.env"
  while IFS=$'\t' read -r name value; do override[$name]="$value"; done < <(read_settings "$overrides")
  while IFS=$'\t' read -r name value; do
    if [ -z "${!name:-}" ]; then
      [ -n "${override[$name]+set}" ] && value="${override[$name]}"
      while [[ $value =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
        ref="${BASH_REMATCH[1]}"
        value="${value//"\${$ref}"/${!ref:-}}"
      done
      printf -v "$name" '%s' "$value"
    fi
    export "${name?}"
  done < <(read_settings "$STACK_ROOT/stack/local.env"; read_settings "$overrides")
}
load_settings

STACK_DIR="${STACK_DIR:-$STACK_ROOT/.stack}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
DB_URL="$STACK_DB_URL"
export PGPASSWORD="$STACK_DB_PASSWORD"
export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"

# initdb refuses to run as root: the cluster then belongs to the postgres OS user.
if [ "$(id -u)" = 0 ]; then PG_OWNER=postgres; else PG_OWNER="$(id -un)"; fi

# pg_owner_can_enter DIR: whether the cluster's OS user can reach DIR.
pg_owner_can_enter() {
  if id -u "$PG_OWNER" >/dev/null 2>&1; then runuser -u "$PG_OWNER" -- test -x "$1" 2>/dev/null; return; fi
  # No such user yet (stack/up.sh installs the packages): every directory on the way must let others through.
  local dir="$1"
  while [ "$dir" != / ]; do
    [ $(( 0$(stat -c %a "$dir") & 1 )) = 1 ] || return 1
    dir="$(dirname "$dir")"
  done
}

# The cluster's data, socket and logs live in STACK_HOME: the checkout's .stack, unless the postgres
# OS user cannot enter the checkout (root's clone under /root, mode 700): then a directory under
# /var/lib named after the checkout's path, so that each checkout keeps a cluster of its own.
STACK_HOME="$STACK_DIR"
if [ "$PG_OWNER" != "$(id -un)" ] && ! pg_owner_can_enter "$(dirname "$STACK_DIR")"; then
  STACK_HOME="/var/lib/samia-tarot-stack/$(basename "$STACK_ROOT" | cut -c1-24)-$(printf '%s' "$STACK_DIR" | sha256sum | cut -c1-12)"
fi
PGDATA="$STACK_HOME/pgdata"
STACK_LOG_DIR="$STACK_HOME/logs"
STACK_RUN_DIR="$STACK_HOME/run"

as_owner() {
  # From /: the owner may not be able to enter the current directory.
  if [ "$(id -un)" = "$PG_OWNER" ]; then "$@"; else (cd / && runuser -u "$PG_OWNER" -- "$@"); fi
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
