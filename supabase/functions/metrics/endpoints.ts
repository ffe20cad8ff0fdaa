// The metrics endpoints: who may use each, its parameters, and the query it runs as the caller.
import type { z } from "zod";
import type { AppRole, Caller } from "../_shared/auth.ts";
import type { Tx } from "../_shared/db.ts";
import { queryOverview } from "./overview.ts";
import { cohortParams, noParams, overviewParams, rangeParams } from "./params.ts";
import { queryRange, type RowsSink } from "./table-query.ts";
import { type TableName, TABLES } from "./tables.ts";

/** What an endpoint produced: rows (their JSON objects went to the sink; CSV-able) or one object. */
export type Output =
  | { kind: "rows"; columns: readonly string[]; rowCount: number }
  | { kind: "object"; dataJson: string; rowCount: number };

export type Endpoint = {
  roles: readonly AppRole[];
  /** Tables the answer is built from (their data versions key the response cache); none: never cached. */
  tables: readonly string[];
  params: z.ZodType<Record<string, unknown>>;
  /** Runs the query; a rows endpoint passes its rows to `rows` as they arrive. */
  run(tx: Tx, caller: Caller, params: Record<string, unknown>, rows: RowsSink): Promise<Output>;
};

function rangeEndpoint(name: Exclude<TableName, "cohort-retention">): Endpoint {
  const t = TABLES[name];
  return {
    roles: t.roles,
    tables: [t.table],
    params: rangeParams(t.filters),
    run: async (tx, _caller, p, rows) => ({
      kind: "rows",
      columns: t.columns,
      rowCount: await queryRange(tx, t, {
        start: p.start_date as string,
        end: p.end_date as string,
        filters: Object.fromEntries(t.filters.map((f) => [f, p[f] as string | undefined])),
      }, rows),
    }),
  };
}

const ALL_SECTION_ROLES = [...new Set(Object.values(TABLES).flatMap((t) => t.roles))];

export const ENDPOINTS = new Map<string, Endpoint>([
  ["fulfillment", rangeEndpoint("fulfillment")],
  ["payments", rangeEndpoint("payments")],
  ["calls", rangeEndpoint("calls")],
  ["engagement", rangeEndpoint("engagement")],
  ["content", rangeEndpoint("content")],
  ["cohort-retention", {
    roles: TABLES["cohort-retention"].roles,
    tables: [TABLES["cohort-retention"].table],
    params: cohortParams,
    run: async (tx, _caller, p, rows) => ({
      kind: "rows",
      columns: TABLES["cohort-retention"].columns,
      rowCount: await queryRange(tx, TABLES["cohort-retention"], {
        start: p.cohort_start as string,
        end: p.cohort_end as string,
        filters: {},
        retentionDays: p.retention_days as number[] | undefined,
      }, rows),
    }),
  }],
  ["overview", {
    roles: ALL_SECTION_ROLES,
    tables: [...Object.values(TABLES).map((t) => t.table), "etl_job_runs"],
    params: overviewParams,
    run: async (tx, caller, p) => ({ kind: "object", ...(await queryOverview(tx, caller, p.date as string)) }),
  }],
  // Internal: the request path without any metrics query (`select 1` as the caller); the
  // benchmark's baseline, so never cached. Admins and backends only.
  ["_ping", {
    roles: ["admin", "superadmin"],
    tables: [],
    params: noParams,
    run: async (tx, _caller, _p, rows) => {
      const [row] = await tx.unsafe("select 1 as ok");
      rows(new TextEncoder().encode(JSON.stringify(row)));
      return { kind: "rows", columns: ["ok"], rowCount: 1 };
    },
  }],
]);
