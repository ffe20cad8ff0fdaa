// The project's one error format: {"error": {"code", "message", "details"?}}.

export type ErrorDetail = { index?: number; path?: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const unauthorized = (message: string) => new ApiError(401, "unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const badRequest = (code: string, message: string, details?: ErrorDetail[]) =>
  new ApiError(400, code, message, details);
export const notFound = (message: string) => new ApiError(404, "not_found", message);
/** 503 with Retry-After: something the request needs is busy for a moment; the client sends it again. */
export const unavailable = (message: string, retryAfterS = 1) =>
  new ApiError(503, "unavailable", message, undefined, { "retry-after": String(retryAfterS) });

/** A database error for a lock wait that ran past lock_timeout (SQLSTATE 55P03 lock_not_available). */
export const isLockTimeout = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === "55P03";
