// The ops CLI's database connection: SUPABASE_DB_URL, DATABASE_URL, or the local stack.
import postgres from "postgres";
import { NUMBER_TYPES } from "../../supabase/functions/_shared/db.ts";

export type OpsSql = postgres.Sql<Record<string, never>>;

export function connectOps(): OpsSql {
  const port = process.env.STACK_DB_PORT ?? "54322";
  const url = process.env.SUPABASE_DB_URL ?? process.env.DATABASE_URL ?? `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  return postgres(url, {
    max: 1,
    prepare: false,
    // Long work reports progress with `raise notice`: show it as it comes.
    onnotice: (n) => console.error(`  … ${n.message}`),
    types: NUMBER_TYPES,
  }) as unknown as OpsSql;
}
