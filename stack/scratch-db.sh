# Throwaway databases in the stack's cluster, built from the migrations or from the declarative
# schema files (supabase/schemas). Sourced by stack/db-diff.sh and stack/schema-compare.sh after
# stack/env.sh.

# The database a migrations build goes into. pg_cron can only be created in the database named by
# cron.database_name (`postgres`, the stack's own) and, for pg_cron's regression tests, in one
# called contrib_regression (pg_cron--1.0.sql): so that name. Its cron jobs never run (the
# scheduler reads only cron.database_name's jobs).
MIGRATIONS_DB=contrib_regression
# The schemas the project owns; the platform's (auth, extensions, cron ...) are not compared.
PROJECT_SCHEMAS=public,analytics

scratch_url() { echo "${DB_URL%/*}/$1"; }

# scratch_create NAME: an empty database with the platform stand-in, as a new hosted project.
scratch_create() {
  scratch_drop "$1"
  psql "$(scratch_url template1)" -v ON_ERROR_STOP=1 -q -c "create database $1"
  psql "$(scratch_url "$1")" -v ON_ERROR_STOP=1 -q -f "$STACK_ROOT/stack/platform.sql" >/dev/null
}

scratch_drop() {
  psql "$(scratch_url template1)" -v ON_ERROR_STOP=1 -q -c "drop database if exists $1 with (force)"
}

# scratch_migrate NAME [PROJECT_DIR]: applies PROJECT_DIR's supabase/migrations (default: this
# checkout's) with the CLI, as stack/up.sh does.
scratch_migrate() {
  local log="$STACK_LOG_DIR/scratch-$1.log"
  npx --no-install supabase migration up --workdir "${2:-$STACK_ROOT}" --db-url "$(scratch_url "$1")?sslmode=disable" \
    >"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

# The declarative files in the order of [db.migrations] schema_paths in supabase/config.toml:
# entries in order, each glob's matches sorted, every file once.
schema_files() {
  local pattern file
  local -A seen=()
  while IFS= read -r pattern; do
    while IFS= read -r file; do
      file="supabase/${file#./}"
      [ -n "${seen[$file]:-}" ] && continue
      seen[$file]=1
      echo "$file"
    done < <(cd "$STACK_ROOT/supabase" && compgen -G "$pattern" | LC_ALL=C sort)
  done < <(sed -n '/^schema_paths *= *\[/,/\]/p' "$STACK_ROOT/supabase/config.toml" | grep -o '"[^"]*"' | tr -d '"')
}

# scratch_declare NAME: applies the declarative files, each in one transaction.
scratch_declare() {
  local file
  for file in $(schema_files); do
    psql "$(scratch_url "$1")" -v ON_ERROR_STOP=1 -q -1 -f "$STACK_ROOT/$file" >/dev/null \
      || { echo "[stack] $file failed to apply (see the error above)" >&2; return 1; }
  done
}

# Monthly events_raw partitions are runtime state (a migration creates the first ones, pg_cron the
# rest), not declared schema: a migrations build drops them before it is compared.
scratch_drop_monthly_partitions() {
  psql "$(scratch_url "$1")" -v ON_ERROR_STOP=1 -q <<'SQL'
do $$
declare
  v_name text;
begin
  for v_name in
    select c.relname from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'public.events_raw'::regclass and c.relname ~ '^events_raw_\d{4}_\d{2}$'
  loop
    execute format('drop table public.%I', v_name);
  end loop;
end
$$;
SQL
}

# schema_diff FROM TO: the SQL that turns database FROM's project schemas into TO's; empty when they
# are the same. The Supabase CLI's diff (pg-delta) writes it, with two corrections for what it
# gets wrong or leaves out:
# - it creates an index of a partitioned table ON ONLY the parent (pg_get_indexdef's form), which
#   leaves the existing partitions without it and the index invalid; the declared
#   `create index ... on <parent>` builds it on every partition, and so does the written migration;
# - it writes no comments on view columns: they follow, from the two catalogs.
schema_diff() {
  local comments
  npx --no-install supabase db diff --use-pg-delta --schema "$PROJECT_SCHEMAS" \
    --from "$(scratch_url "$1")?sslmode=disable" --to "$(scratch_url "$2")?sslmode=disable" \
    | sed -E 's/^(CREATE (UNIQUE )?INDEX [^ ]+) ON ONLY /\1 ON /'
  comments=$(comm -13 <(view_column_comments "$1") <(view_column_comments "$2"))
  [ -z "$comments" ] || printf '\n-- Comments on view columns (supabase/schemas; the diff above has none).\n%s\n' "$comments"
}

# view_column_comments NAME: a `comment on column` statement for each commented view column, sorted.
view_column_comments() {
  psql "$(scratch_url "$1")" -X -A -t -v ON_ERROR_STOP=1 -v schemas="$PROJECT_SCHEMAS" <<'SQL' | LC_ALL=C sort
select format('comment on column %I.%I.%I is %L;', n.nspname, c.relname, a.attname, d.description)
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
join pg_catalog.pg_description d on d.classoid = 'pg_catalog.pg_class'::regclass and d.objoid = c.oid and d.objsubid = a.attnum
where c.relkind in ('v', 'm') and n.nspname = any (string_to_array(:'schemas', ','));
SQL
}

# scratch_dump NAME [PG_DUMP_ARGS...]: pg_dump --schema-only as one line per entry (each entry starts
# at its "-- Name: ...; Type: ..." header; newlines written as \n), sorted: equal for two databases
# that hold the same objects whatever order they were created in. Within an ACL entry the GRANTs
# are sorted too (their order is only the order the grants were made in).
scratch_dump() {
  local db="$1"; shift
  "$PG_BIN/pg_dump" --schema-only "$@" "$(scratch_url "$db")" \
    | grep -v -e '^-- Dumped ' -e '^$' -e '^\\restrict ' -e '^\\unrestrict ' \
    | awk '
        function flush() {
          if (n == 0) return
          if (header ~ /; Type: ACL;/) { for (i = 2; i <= n; i++) for (j = i + 1; j <= n; j++) if (line[j] < line[i]) { t = line[i]; line[i] = line[j]; line[j] = t } }
          entry = ""; for (i = 1; i <= n; i++) entry = entry line[i] "\\n"
          print entry; n = 0
        }
        /^-- Name: / { flush(); header = $0 }
        { line[++n] = $0 }
        END { flush() }' \
    | LC_ALL=C sort
}
