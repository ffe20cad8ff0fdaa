// What the scale benchmark reads from Postgres about itself: the reporting day, the cluster's data
// directory and free disk, the size of events_raw (heap, other forks, each index) over all its
// partitions, and the WAL position.
import { statfsSync } from "node:fs";
import type postgres from "postgres";

export type Sizes = { heap: number; other: number; indexes: Map<string, number> };

/** Bytes of events_raw over all partitions: heap (main fork), the rest (TOAST, free space and visibility maps), each index. */
export async function eventsRawSizes(sql: postgres.Sql): Promise<Sizes> {
  const [t] = await sql<{ heap: number; other: number }[]>`
    select coalesce(sum(pg_catalog.pg_relation_size(p.relid)), 0)::float8 as heap,
      coalesce(sum(pg_catalog.pg_total_relation_size(p.relid) - pg_catalog.pg_indexes_size(p.relid) - pg_catalog.pg_relation_size(p.relid)), 0)::float8 as other
    from pg_catalog.pg_partition_tree('public.events_raw') as p`;
  const idx = await sql<{ name: string; bytes: number }[]>`
    select c.relname::text as name,
      (select coalesce(sum(pg_catalog.pg_relation_size(p.relid)), 0) from pg_catalog.pg_partition_tree(i.indexrelid) as p)::float8 as bytes
    from pg_catalog.pg_index i join pg_catalog.pg_class c on c.oid = i.indexrelid
    where i.indrelid = 'public.events_raw'::regclass order by 1`;
  return { heap: t.heap, other: t.other, indexes: new Map(idx.map((r) => [r.name, r.bytes])) };
}

/** after − before, per part. */
export function sizeGrowth(before: Sizes, after: Sizes): Sizes {
  const indexes = new Map([...after.indexes].map(([name, bytes]) => [name, bytes - (before.indexes.get(name) ?? 0)]));
  return { heap: after.heap - before.heap, other: after.other - before.other, indexes };
}

export const totalBytes = (s: Sizes) => s.heap + s.other + [...s.indexes.values()].reduce((a, b) => a + b, 0);

export async function walLsn(sql: postgres.Sql): Promise<string> {
  return (await sql<{ lsn: string }[]>`select pg_catalog.pg_current_wal_lsn()::text as lsn`)[0].lsn;
}

/** Bytes of WAL written since `from`. */
export async function walSince(sql: postgres.Sql, from: string): Promise<number> {
  return (await sql<{ b: number }[]>`select pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), ${from}::pg_lsn)::float8 as b`)[0].b;
}

export type ScaleContext = {
  /** Local yesterday in the reporting time zone (YYYY-MM-DD): the day the benchmark fills. */
  day: string;
  timeZone: string;
  /** Local midnight of `day` minus UTC midnight of `day`, ms. */
  shiftMs: number;
  dataDirectory: string;
  maxWalBytes: number;
  freeBytes: number;
};

export async function scaleContext(sql: postgres.Sql): Promise<ScaleContext> {
  const [r] = await sql<{ day: string; zone: string; midnight: Date; dir: string; wal: number }[]>`
    select d::text as day, z as zone, (d::timestamp at time zone z) as midnight,
      pg_catalog.current_setting('data_directory') as dir,
      (select s.setting::float8 * 1024 * 1024 from pg_catalog.pg_settings s where s.name = 'max_wal_size') as wal
    from (select analytics.reporting_today() - 1 as d, analytics.reporting_time_zone() as z) as x`;
  const fs = statfsSync(r.dir);
  return {
    day: r.day, timeZone: r.zone, shiftMs: r.midnight.getTime() - Date.parse(`${r.day}T00:00:00Z`),
    dataDirectory: r.dir, maxWalBytes: r.wal, freeBytes: fs.bavail * fs.bsize,
  };
}

export const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
