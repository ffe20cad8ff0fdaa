// `ops status`: what the engineer on call looks at first.
import type { OpsSql } from "./db.ts";
import { printRows } from "./table.ts";

const METRICS_TABLES = [
  "metrics_daily_fulfillment", "metrics_daily_payments", "metrics_daily_calls",
  "metrics_daily_engagement", "metrics_daily_content",
] as const;

export async function printStatus(sql: OpsSql): Promise<number> {
  const [zone] = await sql<{ time_zone: string; local_today: string }[]>`
    select analytics.reporting_time_zone() as time_zone, analytics.reporting_today()::text as local_today`;
  console.log(`Days are local days in ${zone.time_zone} (today ${zone.local_today}).`);

  // A catch-up in progress: the nightly run's plan and how far it got, and the jobs running now
  // (stale: the session is gone or it ran too long; `ops health` says which).
  printRows("Nightly runs (latest 5)", await sql`
    select n.run_id, n.local_today::text, n.status, n.days_done || ' of ' || cardinality(n.days) as days_done,
      n.current_day::text, n.started_at, n.finished_at,
      case when n.status <> 'running' then null
           when analytics.session_alive(n.backend_pid, n.started_at) then 'alive' else 'gone' end as session,
      n.error
    from analytics.etl_nightly_runs n order by n.run_id desc limit 5`);
  printRows("Running ETL jobs", await sql`
    select job_name, target_date::text, started_at, backend_pid, session_alive, stale
    from analytics.etl_running_jobs() order by started_at, id`);

  printRows("Last run per ETL job", await sql`
    select distinct on (job_name) job_name, target_date::text, status, rows_written, started_at, finished_at, error
    from public.etl_job_runs order by job_name, started_at desc`);

  const failures = await sql`
    select distinct on (job_name, target_date) job_name, target_date::text, status, finished_at, error
    from public.etl_job_runs where target_date >= analytics.reporting_today() - 7
    order by job_name, target_date, started_at desc`;
  printRows("Failed jobs, last 7 days (latest run per job and day)", failures.filter((r) => r.status === "failed"));

  printRows("Late days waiting for the next nightly run", await sql`
    select metric_date::text as day, marked_at from analytics.etl_pending_days order by metric_date`);

  const freshness = [];
  for (const t of METRICS_TABLES) {
    const [row] = await sql`select max(metric_date)::text as latest_day, max(computed_at) as computed_at, count(*)::int as rows from public.${sql(t)}`;
    freshness.push({ table: t, ...row });
  }
  const [cohort] = await sql`select max(cohort_date)::text as latest_day, max(computed_at) as computed_at, count(*)::int as rows from public.metrics_cohort_retention`;
  freshness.push({ table: "metrics_cohort_retention", ...cohort });
  printRows("Freshness of metrics tables", freshness);

  printRows("events_raw partitions", await sql`
    select partition_name, bounds, total_size, estimated_rows from public.events_partition_sizes order by partition_name`);

  printRows("pg_cron jobs and their last result", await sql`
    select j.jobname, j.schedule, j.active, d.status as last_status, d.start_time as last_start, left(d.return_message, 80) as message
    from cron.job j
    left join lateral (select * from cron.job_run_details r where r.jobid = j.jobid order by r.start_time desc limit 1) d on true
    order by j.jobname`);
  return 0;
}
