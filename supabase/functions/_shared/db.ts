// Database access for edge functions. Each request runs in one transaction that does what
// PostgREST does (role + request.jwt.claims), so RLS decides what the caller sees.
import postgres from "postgres";
import { env, LOCAL_DB_URL } from "./env.ts";
import type { Caller } from "./auth.ts";
import { NO_DELAY_SOCKET } from "./no-delay-socket.ts";

export type Sql = postgres.Sql<Record<string, never>>;
export type Tx = postgres.TransactionSql<Record<string, never>>;

/** Counts and money are JSON numbers, never strings (the driver's bigint/numeric default). */
export const NUMBER_TYPES = {
  bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
  numeric: { to: 1700, from: [1700], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
};

let client: Sql | undefined;

/**
 * Named prepared statements, except behind Supabase's transaction pooler (port 6543), which may
 * hand each transaction another server connection; DB_PREPARE=true|false overrides. Without them
 * the driver describes every query with parameters first: one round trip more per statement, and
 * nothing pipelined behind it.
 */
export function usePreparedStatements(url: string, setting = env("DB_PREPARE")): boolean {
  if (setting === "true" || setting === "false") return setting === "true";
  try {
    return new URL(url).port !== "6543";
  } catch {
    return false; // not a URL we can read: the setting that is safe everywhere
  }
}

/** One pool per isolate. */
export function db(): Sql {
  const url = env("SUPABASE_DB_URL") ?? LOCAL_DB_URL;
  client ??= postgres(url, {
    ...NO_DELAY_SOCKET,
    max: Number(env("DB_POOL_SIZE") ?? 10),
    prepare: usePreparedStatements(url),
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    types: NUMBER_TYPES,
  }) as unknown as Sql;
  return client;
}

/** Runs `fn` in a transaction as the caller's database role with the caller's claims. */
export function asCaller<T>(caller: Caller, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db().begin(async (tx) => {
    // Sent at once, ahead of fn's first statement (a transaction's queries are pipelined): one round
    // trip fewer. Should it fail, the transaction is aborted and fn's statements fail after it.
    const claims = tx`select set_config('role', ${caller.dbRole}, true), set_config('request.jwt.claims', ${JSON.stringify(caller.claims)}, true)`.execute();
    const [, result] = await Promise.all([claims, fn(tx as unknown as Tx)]);
    return result;
  }) as Promise<T>;
}
