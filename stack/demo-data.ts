// `npm start`'s demo data: unless the local database already has metrics for yesterday, loads a
// few weeks of synthetic events up to now (lib/generator, with the demo reader among the
// readers) and runs the nightly ETL pipeline for each past day, so the dashboard shows real KPIs
// for every role and today's ingestion looks like any other day's to the health check.
import postgres from "postgres";
import { copyEvents, generateDays, windowStartDate, yesterdayUtc } from "../lib/generator/index.ts";
import { DEMO_USERS } from "./keys.ts";
import { LOCAL_DB_URL } from "./local-settings.ts";

// 35 computed days (the readers' 30-day window plus a week for WAU and day-over-day changes) and
// today so far.
const DEMO = { days: 36, eventsPerDay: 1500, seed: 42 };

export async function ensureDemoData(): Promise<string> {
  const sql = postgres(LOCAL_DB_URL, { onnotice: () => {}, max: 1 });
  try {
    const now = new Date().toISOString();
    const yesterday = yesterdayUtc();
    const opts = { ...DEMO, endDate: now.slice(0, 10), readers: [DEMO_USERS.reader] };
    const start = windowStartDate(opts);
    const [{ computed }] = await sql<{ computed: number }[]>`select count(*)::int as computed from public.metrics_daily_engagement where metric_date = ${yesterday}`;
    if (computed > 0) return `demo data: metrics up to ${yesterday} already there (npm run db:reset to start over)`;

    let loaded = 0;
    const [{ present }] = await sql<{ present: number }[]>`select count(*)::int as present from public.events_raw where event_timestamp >= ${start}::date`;
    if (present === 0) for (const { events } of generateDays(opts)) loaded += await copyEvents(sql, events.filter((e) => e.event_timestamp <= now));

    const days = await sql<{ day: string }[]>`
      select d::date::text as day from generate_series(${start}::date, ${yesterday}::date, interval '1 day') d
      where not exists (select 1 from public.metrics_daily_engagement m where m.metric_date = d::date) order by 1`;
    for (const { day } of days) await sql`select analytics.run_daily_etl_pipeline(${day}::date)`;
    return `demo data: ${loaded.toLocaleString("en-US")} events loaded, nightly ETL run for ${days.length} days (${start} – ${yesterday})`;
  } finally {
    await sql.end();
  }
}
