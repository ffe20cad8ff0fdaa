// Parses a URL's query string with a zod schema; every problem becomes one 400
// `invalid_parameter` error whose details name the parameters (details[].path).
import type { z } from "zod";
import { badRequest } from "./errors.ts";
import type { ErrorDetail } from "./errors.ts";

function detailsOf(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: key, message: "unknown parameter" }))
      : [{ path: issue.path.map(String).join("."), message: issue.message }]
  );
}

export function parseQuery<S extends z.ZodType>(url: URL, schema: S): z.output<S> {
  const entries = [...url.searchParams];
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [key] of entries) (seen.has(key) ? repeated : seen).add(key);
  const details: ErrorDetail[] = [...repeated].map((path) => ({ path, message: "must be given at most once" }));
  const result = details.length === 0 ? schema.safeParse(Object.fromEntries(entries)) : undefined;
  if (result && !result.success) details.push(...detailsOf(result.error.issues));
  if (!result || !result.success) {
    const names = [...new Set(details.map((d) => d.path || "query"))].join(", ");
    throw badRequest("invalid_parameter", `invalid query parameter: ${names}`, details);
  }
  return result.data;
}
