// Database errors: which ones a caller may simply retry (the database is unreachable, restarting,
// read-only or too slow: a 503 with Retry-After, never a 500), and how any error is logged. A
// Postgres error's message and detail can quote the data ("Failing row contains (...)", "invalid
// input syntax for type uuid: ..."), and the driver keeps a query's parameters on its errors: the
// log gets the SQLSTATE, its class and the names of the constraint, table and column only.
import { ApiError } from "./errors.ts";

/** The fields of a postgres.js PostgresError this module reads (names only, never values). */
type PgError = Error & {
  code: string;
  severity: string;
  schema_name?: string;
  table_name?: string;
  column_name?: string;
  constraint_name?: string;
};

/** Error codes of the driver and of the socket for a connection that failed, closed or timed out. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "CONNECT_TIMEOUT",
  "ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH",
  "ENOTFOUND", "EAI_AGAIN",
]);

/** SQLSTATEs (or their two-character class) a retry may get past, and the code the caller gets. */
const RETRYABLE_SQLSTATES: Record<string, string> = {
  "08": "database_unavailable", // connection exception
  "53": "database_unavailable", // insufficient resources (too many connections, out of memory, disk full)
  "57P01": "database_unavailable", // admin shutdown
  "57P02": "database_unavailable", // crash shutdown
  "57P03": "database_unavailable", // cannot connect now (starting up, shutting down, recovering)
  "25006": "database_unavailable", // read-only transaction: a failover or a read-only project
  "57014": "database_timeout", // statement_timeout
  "55P03": "database_timeout", // lock_timeout
  "40001": "database_conflict", // serialization failure
  "40P01": "database_conflict", // deadlock detected
};

const MESSAGES: Record<string, string> = {
  database_unavailable: "the database is unavailable; retry shortly",
  database_timeout: "the database did not answer in time; retry shortly",
  database_conflict: "the request conflicted with another one; retry it",
};

const RETRY_AFTER_S = "1";

export function isPostgresError(err: unknown): err is PgError {
  return err instanceof Error && typeof (err as PgError).code === "string" && typeof (err as PgError).severity === "string";
}

function connectionErrorCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" && CONNECTION_CODES.has(code) ? code : undefined;
}

/** The 503 for an error a retry may get past (the database down, restarting or timed out), else undefined. */
export function retryableDatabaseError(err: unknown): ApiError | undefined {
  const code = isPostgresError(err)
    ? RETRYABLE_SQLSTATES[err.code] ?? RETRYABLE_SQLSTATES[err.code.slice(0, 2)]
    : connectionErrorCode(err) && "database_unavailable";
  return code ? new ApiError(503, code, MESSAGES[code], undefined, { "retry-after": RETRY_AFTER_S }) : undefined;
}

/** SQLSTATE classes (PostgreSQL, Appendix A), for a log line that says what kind of error it was. */
const SQLSTATE_CLASSES: Record<string, string> = {
  "08": "connection exception", "0A": "feature not supported", "21": "cardinality violation",
  "22": "data exception", "23": "integrity constraint violation", "25": "invalid transaction state",
  "28": "invalid authorization", "2B": "dependent privileges exist", "2D": "invalid transaction termination",
  "2F": "SQL routine exception", "38": "external routine exception", "39": "external routine invocation",
  "3B": "savepoint exception", "3D": "invalid catalog name", "3F": "invalid schema name",
  "40": "transaction rollback", "42": "syntax error or access rule violation", "44": "with check option violation",
  "53": "insufficient resources", "54": "program limit exceeded", "55": "object not in prerequisite state",
  "57": "operator intervention", "58": "system error", "72": "snapshot failure", "F0": "configuration file error",
  "HV": "foreign data wrapper error", "P0": "PL/pgSQL error", "XX": "internal error",
};

/**
 * One log line for any error: for a Postgres error its SQLSTATE, class, constraint, table and
 * column; for a connection error its code; for anything else its stack (code, not data).
 */
export function describeError(err: unknown): string {
  if (isPostgresError(err)) {
    const where = [
      err.constraint_name && `constraint ${err.constraint_name}`,
      err.table_name && `table ${err.schema_name ? `${err.schema_name}.` : ""}${err.table_name}`,
      err.column_name && `column ${err.column_name}`,
    ].filter(Boolean).join(", ");
    const kind = SQLSTATE_CLASSES[err.code.slice(0, 2)] ?? "database error";
    return `database error: SQLSTATE ${err.code} (${kind})${where ? `, ${where}` : ""}`;
  }
  const connection = connectionErrorCode(err);
  if (connection) return `database connection error: ${connection}`;
  return err instanceof Error ? err.stack ?? `${err.name}: ${err.message}` : `non-error value thrown: ${typeof err}`;
}
