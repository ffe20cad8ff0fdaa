#!/usr/bin/env bash
# Proof that the baseline migrations build the same database as an earlier migration history:
# builds one database from REF's supabase/migrations (default: the last main commit with the 41
# migrations the baseline replaced) and one from this checkout's, in turn, in the running stack's
# cluster, and compares
#   - pg_dump --schema-only (every object, owner, grant, comment, RLS flag, function setting),
#     entry by entry, in sorted order;
#   - a catalog listing of function settings, security, owners and ACLs, relation owners, ACLs,
#     persistence and RLS enabled/forced flags, index validity, policies, triggers, default ACLs;
#   - the rows migrations add: the event catalog (without created_at), the one-row privacy tables
#     (their random key and version are compared by presence only), the reporting and ops settings and
#     nightly state (its first scheduled day as "today"), recompute requests, computed days,
#     pg_cron jobs, extensions.
# Prints "equal" or the differences (files under .stack/compare). Usage: schema-compare.sh [REF]
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$STACK_ROOT/stack/scratch-db.sh"

ref="${1:-dcd9b5323960f599424ca918cae5e0974df72b07}"
out="$STACK_DIR/compare"
rm -rf "$out" && mkdir -p "$out/ref/supabase" "$STACK_LOG_DIR"
trap 'scratch_drop "$MIGRATIONS_DB"' EXIT
git -C "$STACK_ROOT" archive "$ref" supabase/config.toml supabase/migrations | tar -x -C "$out/ref"

catalog_listing() {
  psql "$(scratch_url "$MIGRATIONS_DB")" -X -A -t -v ON_ERROR_STOP=1 <<'SQL'
create function pg_temp.acl(p_acl aclitem[]) returns text language sql as
  $$ select string_agg(a::text, ',' order by a::text) from unnest(p_acl) a $$;
select 'schema', n.nspname, n.nspowner::regrole, pg_temp.acl(coalesce(n.nspacl, acldefault('n', n.nspowner)))
from pg_namespace n where n.nspname in ('public', 'analytics') order by 2;
select 'function', p.oid::regprocedure, p.proowner::regrole, p.prosecdef, p.provolatile, p.proconfig,
  pg_temp.acl(coalesce(p.proacl, acldefault('f', p.proowner))), md5(p.prosrc)
from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'analytics') order by p.oid::regprocedure::text;
select 'relation', c.oid::regclass, c.relkind, c.relowner::regrole, c.relpersistence, c.relrowsecurity,
  c.relforcerowsecurity, pg_temp.acl(coalesce(c.relacl, acldefault(case when c.relkind = 'S' then 's'::"char" else 'r'::"char" end, c.relowner)))
from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('public', 'analytics') order by c.oid::regclass::text;
select 'index', i.indexrelid::regclass, i.indisvalid, i.indisready, pg_get_indexdef(i.indexrelid)
from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
where n.nspname in ('public', 'analytics') order by i.indexrelid::regclass::text;
select 'policy', p.polrelid::regclass, p.polname, p.polcmd, p.polpermissive, p.polroles::regrole[],
  pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
from pg_policy p order by p.polrelid::regclass::text, 3;
select 'trigger', t.tgrelid::regclass, t.tgname, pg_get_triggerdef(t.oid) from pg_trigger t
where not t.tgisinternal order by t.tgrelid::regclass::text, 3;
select 'default acl', d.defaclrole::regrole, d.defaclnamespace::regnamespace, d.defaclobjtype, pg_temp.acl(d.defaclacl)
from pg_default_acl d order by d.defaclrole::regrole::text, d.defaclnamespace::regnamespace::text, 4;
select 'comment', count(*) from pg_description d join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass
join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('public', 'analytics');
SQL
}

data_listing() {
  psql "$(scratch_url "$MIGRATIONS_DB")" -X -A -t -v ON_ERROR_STOP=1 <<'SQL'
select 'extension', extname, extversion, extnamespace::regnamespace from pg_extension order by 2;
select 'event catalog', to_jsonb(e) - 'created_at' from public.event_schema_versions e order by e.event_type, e.version;
select 'privacy key rows', count(*), bool_and(octet_length(key) = 32) from analytics.privacy_key;
select 'suppression list version rows', count(*), min(subjects) from analytics.suppression_list_version;
select 'reporting settings', time_zone from analytics.reporting_settings;
select 'nightly state', last_today, last_scheduled_today = (now() at time zone analytics.reporting_time_zone())::date,
  user_initiated_types from analytics.etl_nightly_state;
select 'ops settings', to_jsonb(o) - 'updated_at' from analytics.ops_settings o;
select 'health alert state rows', count(*) from analytics.health_alert_state;
select 'recompute requests', metric_date, reason from analytics.etl_recompute_requests order by 2, 3;
select 'computed days', count(*) from analytics.etl_days;
select 'cron job', jobname, schedule, command, database, username, active from cron.job order by jobname;
select 'events_raw partition', c.relname, pg_get_expr(c.relpartbound, c.oid)
from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'public.events_raw'::regclass order by 2;
SQL
}

for side in ref new; do
  scratch_create "$MIGRATIONS_DB"
  if [ "$side" = ref ]; then scratch_migrate "$MIGRATIONS_DB" "$out/ref"; else scratch_migrate "$MIGRATIONS_DB"; fi
  scratch_dump "$MIGRATIONS_DB" --exclude-schema=supabase_migrations >"$out/$side.schema.txt"
  catalog_listing >"$out/$side.catalog.txt"
  data_listing >"$out/$side.data.txt"
done

status=0
for part in schema catalog data; do
  lines=$(wc -l <"$out/ref.$part.txt")
  if diff -u "$out/ref.$part.txt" "$out/new.$part.txt" >"$out/$part.diff"; then
    echo "[compare] $part: equal ($lines entries)"
  else
    echo "[compare] $part: DIFFERENT (see $out/$part.diff)"; head -60 "$out/$part.diff"; status=1
  fi
done
[ "$status" = 0 ] && echo "[compare] ${ref:0:12}'s migrations and this checkout's build the same database: equal"
exit $status
