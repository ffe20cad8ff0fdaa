-- Partition DDL that never stalls ingestion for more than about a second. Dropping a partition takes
-- an ACCESS EXCLUSIVE lock on events_raw itself: the purge's `drop table` queued behind any long
-- read of events_raw, and every ingest batch queued behind the drop; once granted, the lock was kept
-- to the end of the purge, through all of its row deletes. Now the purge deletes rows first and
-- drops expired partitions last (right before it commits), all of them in one attempt that waits
-- at most 500 ms for its locks; a failed attempt releases everything, pauses, and tries again (5
-- attempts); partitions still held are reported under "deferred_partitions" and dropped by the next
-- daily run. (DETACH ... CONCURRENTLY, the lock-light alternative, cannot run inside a function and
-- is refused while events_raw has a DEFAULT partition; a plain DETACH takes the same lock as DROP.)
-- Partition creation takes weaker locks (ATTACH: SHARE UPDATE EXCLUSIVE on events_raw, which
-- ingestion does not conflict with; ACCESS EXCLUSIVE on the DEFAULT partition only), now each
-- waited for at most 500 ms: on a timeout it fails and the weekly job creates the month next time.

create or replace function analytics.purge_expired_data(p_now timestamptz default now())
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_today date := (p_now at time zone 'UTC')::date;
  v_raw_cutoff timestamptz := (v_today - 90)::timestamp at time zone 'UTC';
  v_metrics_cutoff date := (v_today - interval '2 years')::date;
  v_lock_timeout text := current_setting('lock_timeout');
  v_part record;
  v_expired text[] := '{}'::text[];
  v_dropped text[] := '{}'::text[];
  v_name text;
  v_count bigint;
  v_rows bigint := 0;
  v_result jsonb := '{}'::jsonb;
begin
  -- Expired rows of the partitions that outlive the cutoff (the boundary month) and of DEFAULT;
  -- partitions that end at or before the cutoff are dropped whole, below.
  for v_part in
    select c.relname::text as name, b.bounds
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    cross join lateral (
      select regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid), $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) as bounds
    ) b
    where i.inhparent = 'public.events_raw'::regclass
    order by c.relname
  loop
    if v_part.bounds is null then
      delete from public.events_raw_default where event_timestamp < v_raw_cutoff;
    elsif v_part.bounds[2]::timestamptz <= v_raw_cutoff then
      v_expired := v_expired || v_part.name;
      continue;
    elsif v_part.bounds[1]::timestamptz < v_raw_cutoff then
      delete from public.events_raw where event_timestamp >= v_part.bounds[1]::timestamptz and event_timestamp < v_raw_cutoff;
    else
      continue;
    end if;
    get diagnostics v_count = row_count;
    v_rows := v_rows + v_count;
  end loop;
  v_result := v_result || jsonb_build_object('events_raw', v_rows);

  delete from public.metrics_daily_fulfillment where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_fulfillment', v_count);
  delete from public.metrics_daily_payments where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_payments', v_count);
  delete from public.metrics_daily_calls where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_calls', v_count);
  delete from public.metrics_daily_engagement where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_engagement', v_count);
  delete from public.metrics_daily_content where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_content', v_count);
  delete from public.metrics_cohort_retention where cohort_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_cohort_retention', v_count);
  delete from analytics.user_daily_activity where activity_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('user_daily_activity', v_count);

  delete from public.etl_job_runs where started_at < p_now - interval '1 year';
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_job_runs', v_count);

  delete from cron.job_run_details where end_time < p_now - interval '30 days';
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('cron_job_run_details', v_count);

  -- Last: from the first drop on, events_raw stays locked against ingestion until this commits.
  if cardinality(v_expired) > 0 then
    for v_attempt in 1..5 loop
      begin
        perform pg_catalog.set_config('lock_timeout', '500ms', true);
        foreach v_name in array v_expired loop
          execute format('drop table public.%I', v_name);
        end loop;
        v_dropped := v_expired;
        exit;
      exception when lock_not_available then
        raise notice 'purge_expired_data: events_raw is busy (attempt % of 5)', v_attempt;
        if v_attempt < 5 then
          perform pg_catalog.pg_sleep(v_attempt);
        end if;
      end;
    end loop;
    perform pg_catalog.set_config('lock_timeout', v_lock_timeout, true);
    if cardinality(v_dropped) = 0 then
      raise warning 'purge_expired_data: could not drop % without stalling ingestion; the next run retries', array_to_string(v_expired, ', ');
    end if;
  end if;
  v_result := v_result || jsonb_build_object(
    'dropped_partitions', to_jsonb(v_dropped),
    'deferred_partitions', to_jsonb(case when cardinality(v_dropped) = 0 then v_expired else '{}'::text[] end));

  return v_result;
end;
$$;
comment on function analytics.purge_expired_data(timestamptz) is
  'Retention purge (pg_cron, daily): deletes raw events older than 90 days from the boundary partition and DEFAULT, metrics/cohorts/activity older than 2 years, etl_job_runs older than 1 year, cron run history older than 30 days, then drops expired monthly events_raw partitions (waiting at most 500 ms per attempt, 5 attempts; partitions it could not drop are returned as deferred_partitions and dropped by the next run). Returns counts.';
revoke all on function analytics.purge_expired_data(timestamptz) from public, anon, authenticated;
grant execute on function analytics.purge_expired_data(timestamptz) to service_role;

-- The partition creation of 20261125000200, with its lock waits bounded.
create or replace function analytics.create_events_partition(p_month date)
returns text
language plpgsql
set search_path = ''
set lock_timeout = '500ms'
as $$
declare
  v_start date := date_trunc('month', p_month)::date;
  v_end date := (date_trunc('month', p_month) + interval '1 month')::date;
  v_name text := format('events_raw_%s', to_char(v_start, 'YYYY_MM'));
  v_moved bigint;
begin
  if to_regclass(format('public.%I', v_name)) is not null then
    return v_name;
  end if;

  -- Serialise with concurrent creators and with inserts into DEFAULT while rows move.
  lock table public.events_raw_default in share row exclusive mode;
  if to_regclass(format('public.%I', v_name)) is not null then
    return v_name;
  end if;

  execute format(
    'create table public.%I (like public.events_raw including defaults including constraints)', v_name);
  -- Lets attach skip its validation scan of the new table.
  execute format(
    'alter table public.%I add constraint %I check (event_timestamp >= %L and event_timestamp < %L)',
    v_name, v_name || '_range', v_start::timestamptz, v_end::timestamptz);
  execute format(
    'with moved as (delete from public.events_raw_default where event_timestamp >= %L and event_timestamp < %L returning *)
     insert into public.%I select * from moved', v_start::timestamptz, v_end::timestamptz, v_name);
  get diagnostics v_moved = row_count;
  execute format(
    'alter table public.events_raw attach partition public.%I for values from (%L) to (%L)',
    v_name, v_start::timestamptz, v_end::timestamptz);
  execute format('alter table public.%I drop constraint %I', v_name, v_name || '_range');

  -- A partition queried directly must not bypass the parent's rules.
  execute format('alter table public.%I enable row level security', v_name);
  execute format('revoke all on public.%I from public, anon, authenticated, service_role', v_name);
  execute format('comment on table public.%I is %L', v_name,
    format('events_raw partition for %s (created by analytics.create_events_partition).', to_char(v_start, 'YYYY-MM')));

  if v_moved > 0 then
    raise notice 'create_events_partition: moved % rows from events_raw_default into %', v_moved, v_name;
  end if;
  return v_name;
end;
$$;
comment on function analytics.create_events_partition(date) is
  'Creates the monthly events_raw partition containing the given date (idempotent), moving matching rows out of DEFAULT; each lock is waited for at most 500 ms (then lock_not_available: retry later). Returns the partition name.';
revoke all on function analytics.create_events_partition(date) from public, anon, authenticated;
grant execute on function analytics.create_events_partition(date) to service_role;
