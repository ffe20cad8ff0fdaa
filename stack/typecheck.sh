#!/usr/bin/env bash
# TypeScript strict for Node-side code (tests, stack, bench, scripts) and `deno check` for every
# edge function and the local router.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install tsc -p tsconfig.json
npx --no-install tsc -p dashboard/tsconfig.json
cd supabase/functions
mapfile -t files < <(ls _shared/*.ts */index.ts */handler.ts ../../client/*.ts 2>/dev/null; echo ../../stack/functions-server.ts)
../../node_modules/.bin/deno check --quiet --config deno.json "${files[@]}"
echo "typecheck: ok (tsc + deno check of ${#files[@]} entry points)"
