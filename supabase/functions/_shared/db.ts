// Database access for edge functions. Each request runs in one transaction that does what
// PostgREST does (role + request.jwt.claims), so RLS decides what the caller sees.
import postgres from "postgres";
import { env } from "./env.ts";
import type { Caller } from "./auth.ts";
import { ApiError } from "./errors.ts";
import { NO_DELAY_SOCKET } from "./no-delay-socket.ts";
import { sqlLiteral } from "./sql-literal.ts";

export type Sql = postgres.Sql<Record<string, never>>;
export type Tx = postgres.TransactionSql<Record<string, never>>;

/** Counts and money are JSON numbers, never strings (the driver's bigint/numeric default). */
export const NUMBER_TYPES = {
  bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
  numeric: { to: 1700, from: [1700], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
};

let client: Sql | undefined;

/** SUPABASE_DB_URL, which hosted Supabase gives every function; without it a request gets a JSON 503. */
function databaseUrl(): string {
  const url = env("SUPABASE_DB_URL");
  if (!url) throw new ApiError(503, "service_unavailable", "the database is not configured (SUPABASE_DB_URL is not set)");
  return url;
}

/** Seconds before a connection that failed connects again: short, so that requests fail fast while
 * the database is down and succeed within a second once it is back. (The driver's default grows
 * with every failed connect of the pool, up to 20 s during which queries wait for it.) */
const reconnectDelay = (failures: number) => Math.min(0.05 * 2 ** failures, 0.5);

/**
 * One pool per isolate. Named prepared statements only with DB_PREPARE=true. Off, the driver
 * describes every statement with parameters before running it (one round trip more); on, a
 * transaction-mode pooler (Supabase's, port 6543) may run a statement on a connection that never
 * prepared it, and a migration that changes a table's or view's columns fails the statements each
 * connection prepared before it ("cached plan must not change result type") until it reconnects.
 */
export function db(): Sql {
  client ??= postgres(databaseUrl(), {
    ...NO_DELAY_SOCKET,
    max: Number(env("DB_POOL_SIZE") ?? 10),
    prepare: env("DB_PREPARE") === "true",
    idle_timeout: 30,
    connect_timeout: 3,
    backoff: reconnectDelay,
    onnotice: () => {},
    types: NUMBER_TYPES,
  }) as unknown as Sql;
  return client;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 8_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 1_000;

function millisecondsFromEnv(name: string, fallback: number): number {
  const n = Number(env(name));
  return Number.isInteger(n) && n > 0 && n <= 2_147_483_647 ? n : fallback; // an int in Postgres
}

/**
 * statement_timeout and lock_timeout for the rest of the transaction (DB_STATEMENT_TIMEOUT_MS,
 * DB_LOCK_TIMEOUT_MS). Set on every transaction because functions become a role with set_config,
 * so the role's own settings (a login's) never apply; a lock held elsewhere then costs a request
 * lock_timeout, not as long as the lock is held.
 */
function timeouts(): string {
  const statement = millisecondsFromEnv("DB_STATEMENT_TIMEOUT_MS", DEFAULT_STATEMENT_TIMEOUT_MS);
  const lock = millisecondsFromEnv("DB_LOCK_TIMEOUT_MS", DEFAULT_LOCK_TIMEOUT_MS);
  return `set_config('statement_timeout', '${statement}', true), set_config('lock_timeout', '${lock}', true)`;
}

/** The statement that makes the session the caller for the rest of the transaction, as PostgREST
 * does, with the timeouts. Literals, not parameters: one round trip instead of two (sql-literal.ts). */
function becomeCaller(caller: Caller): string {
  return `select set_config('role', ${sqlLiteral(caller.dbRole)}, true), set_config('request.jwt.claims', ${sqlLiteral(JSON.stringify(caller.claims))}, true), ${timeouts()}`;
}

/** Runs `fn` in a transaction as the caller's database role with the caller's claims. */
export function asCaller<T>(caller: Caller, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inTransactionAs(db(), caller, fn);
}

/** asCaller on a given pool (the ingest benchmark runs the function's write path on its own). */
export function inTransactionAs<T>(sql: Sql, caller: Caller, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    // Sent first but not awaited first: fn's first statement follows it without waiting for its
    // answer (postgres.js pipelines a transaction's queries; Postgres runs them in order), one
    // round trip less per transaction. `begin` keeps its own: sending it with them needs
    // sql.reserve(), whose connections break the pool after a database restart (docs/ingest.md).
    const settings = tx.unsafe(becomeCaller(caller)).execute();
    const [, value] = await Promise.all([settings, fn(tx as unknown as Tx)]);
    return value;
  }) as Promise<T>;
}

/**
 * One statement as the caller in ONE round trip (asCaller takes three: begin, the caller's
 * settings pipelined with the statement, commit). The caller's settings and the statement go in
 * one simple-query message, which Postgres runs as one implicit transaction, so the role and
 * claims last exactly for that statement.
 * `statement` must be a single statement with literal values only (sql-literal.ts).
 */
export function oneStatementAs<T>(sql: Sql, caller: Caller, statement: string): Promise<T[]> {
  return afterSettings<T>(sql, becomeCaller(caller), statement);
}

/** oneStatementAs as the pool's own login role: only the timeouts are set. */
export function oneStatement<T>(sql: Sql, statement: string): Promise<T[]> {
  return afterSettings<T>(sql, `select ${timeouts()}`, statement);
}

async function afterSettings<T>(sql: Sql, settings: string, statement: string): Promise<T[]> {
  const results = (await sql.unsafe(`${settings}; ${statement}`)) as unknown as T[][];
  return results[results.length - 1];
}
