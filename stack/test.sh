#!/usr/bin/env bash
# The project's test command (npm test): brings the local stack up, then runs the vitest suite,
# the pgTAP suite (pg_prove) and `supabase db lint`. Exits non-zero if any of them fails.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$STACK_ROOT"

bash stack/up.sh || exit 1
status=0

echo "== typecheck"
bash stack/typecheck.sh || status=1

echo "== vitest"
npx --no-install vitest run "$@" || status=1

echo "== pgTAP (pg_prove)"
psql_db -c 'create extension if not exists pgtap with schema extensions'
PGOPTIONS="-c search_path=public,extensions -c client_min_messages=warning" \
  pg_prove --dbname postgres --host 127.0.0.1 --port "$STACK_DB_PORT" --username postgres \
  --ext .sql -r supabase/tests || status=1
psql_db -c 'drop extension if exists pgtap'

echo "== supabase db lint"
npx --no-install supabase db lint --db-url "$DB_URL?sslmode=disable" --schema public,analytics --level warning --fail-on error || status=1

exit $status
