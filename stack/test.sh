#!/usr/bin/env bash
# The project's test command (npm test): brings the local stack up, then runs the typecheck, the
# vitest suite, the pgTAP suite (pg_prove) and `supabase db lint`. Ends with one summary line
# "N passed, N failed" and exits non-zero if anything failed.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$STACK_ROOT"

bash stack/up.sh || exit 1
status=0
mkdir -p "$STACK_DIR/reports"

echo "== typecheck"
bash stack/typecheck.sh || status=1

echo "== vitest"
vitest_json="$STACK_DIR/reports/vitest.json"
rm -f "$vitest_json"
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$vitest_json" "$@" || status=1

# The Python emitter's unittest suite (client/python), against this stack; counted in the summary.
echo "== python emitter (unittest)"
python_log="$STACK_DIR/reports/python-unittest.log"
(cd client/python && PYTHONPATH=. PYTHONDONTWRITEBYTECODE=1 python3 -m unittest discover -s tests) 2>&1 | tee "$python_log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1

echo "== pgTAP (pg_prove)"
prove_log="$STACK_DIR/reports/pg_prove.log"
psql_db -c 'create extension if not exists pgtap with schema extensions'
PGOPTIONS="-c search_path=public,extensions -c client_min_messages=warning" \
  pg_prove --dbname postgres --host 127.0.0.1 --port "$STACK_DB_PORT" --username postgres \
  --ext .sql -r supabase/tests 2>&1 | tee "$prove_log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
psql_db -c 'drop extension if exists pgtap'

echo "== supabase db lint"
npx --no-install supabase db lint --db-url "$DB_URL?sslmode=disable" --schema public,analytics --level warning --fail-on error || status=1

node stack/test-summary.mjs "$vitest_json" "$prove_log" "$status" "$python_log"
exit $status
