// What PostgREST does for `GET /rest/v1/<table>?<filters>&order=...` with a `Range` header (or
// limit/offset) and `Prefer: count=exact`, reproduced statement for statement (PostgREST's
// Query/PreQuery.hs, Statements.hs prepareRead and SqlFragment.hs countF/limitOffsetF): one
// transaction that sets the request's search_path, role settings, role and claims with set_config,
// then the read with its count CTE. The range is cut to `max_rows` first (RangeQuery.restrictRange),
// with max_rows read from supabase/config.toml as the platform would.
import { readFileSync } from "node:fs";
import type { Sql } from "../helpers/db.ts";

export const MAX_ROWS = Number(
  readFileSync(new URL("../../supabase/config.toml", import.meta.url), "utf8").match(/^max_rows\s*=\s*(\d+)/m)![1],
);

/** Request roles' settings PostgREST applies per request (`alter role ... set` in stack/platform.sql). */
const ROLE_SETTINGS: Record<string, Record<string, string>> = { authenticated: { statement_timeout: "8s" } };

export type Filter = { column: string; op: "eq" | "like"; value: string };
export type PostgrestRead = {
  /** Database role of the request: `authenticated` with a user's JWT; bi_reader emulates its pooled login. */
  role: string;
  claims: Record<string, unknown> | null;
  table: string;
  filters?: Filter[];
  /** order=col.asc[.nullslast],... as (column, "asc" | "desc", nulls last?) */
  order: [string, "asc" | "desc", boolean?][];
  offset: number;
  /** Rows asked for (Range: offset-(offset+limit-1), or limit=); undefined = no range. */
  limit?: number;
};
export type PostgrestPage = { status: 200 | 206; contentRange: string; total: number; rows: Record<string, unknown>[] };

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

export async function postgrestRead(sql: Sql, req: PostgrestRead): Promise<PostgrestPage> {
  const qi = `${ident("public")}.${ident(req.table)}`;
  const limit = Math.min(req.limit ?? Number.POSITIVE_INFINITY, MAX_ROWS); // restrictRange
  const params: (string | number)[] = [];
  const param = (v: string | number) => `$${params.push(v)}`;
  const where = (req.filters ?? []).map((f) =>
    `${qi}.${ident(f.column)} ${f.op === "eq" ? "=" : "like"} ${param(f.op === "like" ? f.value.replaceAll("*", "%") : f.value)}`);
  const whereSql = where.length ? ` WHERE ${where.join(" AND ")}` : "";
  const orderSql = req.order.map(([c, dir, nullsLast]) => `${qi}.${ident(c)} ${dir.toUpperCase()}${nullsLast ? " NULLS LAST" : ""}`).join(", ");
  const read =
    `WITH pgrst_source AS ( SELECT ${qi}.* FROM ${qi}${whereSql} ORDER BY ${orderSql} LIMIT ${param(limit)} OFFSET ${param(req.offset)} ) ` +
    `, pgrst_source_count AS (SELECT 1 FROM ${qi}${whereSql}) ` +
    `SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count) AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, ` +
    `coalesce(json_agg(_postgrest_t), '[]')::character varying AS body, ` +
    `nullif(current_setting('response.headers', true), '') AS response_headers, ` +
    `nullif(current_setting('response.status', true), '') AS response_status ` +
    `FROM ( SELECT * FROM pgrst_source ) _postgrest_t`;

  const settings: [string, string][] = [
    ["search_path", '"public", "public", "extensions"'],
    ...Object.entries(ROLE_SETTINGS[req.role] ?? {}),
    ["role", req.role],
    ...(req.claims ? [["request.jwt.claims", JSON.stringify({ ...req.claims, role: req.role })] as [string, string]] : []),
    ["request.method", "GET"],
    ["request.path", `/${req.table}`],
    ["request.headers", JSON.stringify({ prefer: "count=exact", ...(req.limit ? { range: `${req.offset}-${req.offset + req.limit - 1}` } : {}) })],
    ["request.cookies", "{}"],
  ];
  const pre = `select ${settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(", ")}`;

  const [row] = await sql.begin(async (tx) => {
    await tx.unsafe(pre, settings.flat());
    return tx.unsafe(read, params);
  });
  const total = Number(row.total_result_set);
  const pageTotal = Number(row.page_total);
  const rows = JSON.parse(row.body as string) as Record<string, unknown>[];
  // PostgREST's Content-Range and status: 206 when the page is not the whole (counted) result.
  const last = req.offset + pageTotal - 1;
  const contentRange = pageTotal === 0 ? `*/${total}` : `${req.offset}-${last}/${total}`;
  return { status: pageTotal < total ? 206 : 200, contentRange, total, rows };
}

/** Every page of `pageSize` rows from offset 0 until the count is reached, as a client pages. */
export async function readAllPages(sql: Sql, req: Omit<PostgrestRead, "offset" | "limit">, pageSize: number): Promise<PostgrestPage[]> {
  const pages: PostgrestPage[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await postgrestRead(sql, { ...req, offset, limit: pageSize });
    pages.push(page);
    if (page.rows.length === 0 || offset + page.rows.length >= page.total) return pages;
  }
}
