// The ops CLI's database connection: SUPABASE_DB_URL, DATABASE_URL, or the local stack's
// (stack/local.env, with the checkout's .stack.env).
import postgres from "postgres";
import { LOCAL_DB_URL } from "../../stack/local-settings.ts";
import { NUMBER_TYPES } from "../../supabase/functions/_shared/db.ts";

export type OpsSql = postgres.Sql<Record<string, never>>;

export function connectOps(): OpsSql {
  const url = process.env.SUPABASE_DB_URL || process.env.DATABASE_URL || LOCAL_DB_URL;
  return postgres(url, {
    max: 1,
    prepare: false,
    // Long work reports progress with `raise notice`: show it as it comes.
    onnotice: (n) => console.error(`  … ${n.message}`),
    types: NUMBER_TYPES,
  }) as unknown as OpsSql;
}
