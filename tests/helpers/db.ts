// A direct database connection for tests (as the postgres superuser), with bigint/numeric as numbers.
import postgres from "postgres";
import { LOCAL_DB_URL } from "../../stack/local-settings.ts";
import { NUMBER_TYPES } from "../../supabase/functions/_shared/db.ts";

export function connect(options: postgres.Options<Record<string, postgres.PostgresType>> = {}) {
  return postgres(LOCAL_DB_URL, {
    max: 4,
    onnotice: () => {},
    types: NUMBER_TYPES,
    ...options,
  });
}

export type Sql = ReturnType<typeof connect>;

/** Runs `fn` as PostgREST would for a request: a transaction with role + request.jwt.claims. Rolls back. */
export async function asRole<T>(
  sql: Sql,
  role: "anon" | "authenticated" | "service_role",
  claims: Record<string, unknown>,
  fn: (tx: postgres.TransactionSql<Record<string, unknown>>) => Promise<T>,
): Promise<T> {
  let result: T | undefined;
  await sql
    .begin(async (tx) => {
      await tx`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      result = await fn(tx as unknown as postgres.TransactionSql<Record<string, unknown>>);
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return result as T;
}

class Rollback extends Error {}
