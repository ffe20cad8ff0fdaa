// A fulfillment grid for large answers: every day of [first, last] × (3 services + total) × (8
// readers + total) = 36 rows a day, under reader ids of the calling suite. Values are exact in
// binary, so the JSON numbers compare exactly with the table's.
import type { Sql } from "../helpers/db.ts";

const SERVICES = ["astrology", "healing", "tarot", null];

/** Readers `<prefix>0000-0000-4000-8000-00000000000<1..8>` and the total (null). */
const readers = (prefix: string) => [...Array.from({ length: 8 }, (_, i) => `${prefix}0000-0000-4000-8000-00000000000${i + 1}`), null];

export async function insertFulfillmentGrid(sql: Sql, first: string, last: string, readerPrefix: string): Promise<void> {
  await removeFulfillmentGrid(sql, first, last);
  await sql`
    insert into public.metrics_daily_fulfillment (metric_date, service_code, reader_id, orders_created, orders_completed,
      approvals, approval_rate, ttf_response_avg_s, ttf_approval_p95_s)
    select d::date, s, r::uuid, n, n % 7, n % 5, (n % 4) / 4.0, n + 0.5, case when n % 3 = 0 then null else n * 2.25 end
    from generate_series(${first}::date, ${last}::date, interval '1 day') as d,
      unnest(${SERVICES}::text[]) with ordinality as s (s, si),
      unnest(${readers(readerPrefix)}::text[]) with ordinality as r (r, ri),
      lateral (select (d::date - ${first}::date) * 36 + si::int * 9 + ri::int as n) as v`;
}

export async function removeFulfillmentGrid(sql: Sql, first: string, last: string): Promise<void> {
  await sql`delete from public.metrics_daily_fulfillment where metric_date between ${first} and ${last}`;
}
