// Demo data for `npm start`: the last 35 days of synthetic events (fixed seed, the demo reader among
// the readers so a reader token sees its own rows), loaded once, then the ETL for every day not yet
// computed. Demo events carry request_id 'demo' so a second start can tell they are there.
import postgres from "postgres";
import { copyEvents, generateEvents, windowStartDate } from "../scripts/generator/index.ts";
import { DEMO_USERS, LOCAL_DB_URL } from "./keys.ts";

const DEMO = { days: 35, eventsPerDay: 3000, seed: 2026, readers: [DEMO_USERS.reader] };

export async function loadDemoData(log: (message: string) => void): Promise<void> {
  const sql = postgres(LOCAL_DB_URL, { onnotice: () => {}, max: 1 });
  try {
    const endDate = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const startDate = windowStartDate({ ...DEMO, endDate });
    const [{ loaded }] = await sql`select exists (select 1 from public.events_raw
      where request_id = 'demo' and event_timestamp >= ${startDate}::date) as loaded`;
    if (!loaded) {
      await sql`select analytics.create_events_partition(m::date)
        from generate_series(date_trunc('month', ${startDate}::date), ${endDate}::date, interval '1 month') as m`;
      const events = generateEvents({ ...DEMO, endDate }).map((e) => ({ ...e, request_id: "demo" }));
      await copyEvents(sql, events);
      log(`demo data: ${events.length} events from ${startDate} to ${endDate}`);
    }
    const todo = await sql<{ day: string }[]>`select d::date::text as day
      from generate_series(${startDate}::date, ${endDate}::date, interval '1 day') as d
      where not exists (select 1 from public.etl_job_runs r where r.target_date = d::date and r.job_name = 'pipeline' and r.status = 'succeeded')
      order by d`;
    for (const { day } of todo) await sql`select analytics.run_daily_etl_pipeline(${day}::date)`;
    if (todo.length > 0) log(`demo data: ETL computed ${todo.length} days`);
  } finally {
    await sql.end();
  }
}
