-- Late-day marks: ingestion only appends marks (one per batch and late day, nothing to wait for),
-- etl_pending_days shows one row a day, and no API role but service_role can touch them.
begin;
select plan(10);

select isnt(obj_description('analytics.etl_late_day_marks'::regclass, 'pg_class'), null, 'the marks table is documented');
select isnt(obj_description('analytics.etl_pending_days'::regclass, 'pg_class'), null, 'the pending days view is documented');
select ok((select relrowsecurity from pg_class where oid = 'analytics.etl_late_day_marks'::regclass), 'the marks table has RLS enabled');
select ok(not has_table_privilege(r, t, 'select, insert, update, delete'), r || ' has no privilege on ' || t)
from unnest(array['anon', 'authenticated']) as r, unnest(array['analytics.etl_late_day_marks', 'analytics.etl_pending_days']) as t;

delete from analytics.etl_late_day_marks;
-- A computed day (analytics.etl_days), and local yesterday (which a running night may be computing;
-- the reporting time zone is UTC here).
insert into analytics.etl_days (metric_date, time_zone) values ('2030-03-03', 'UTC');
insert into public.events_raw (event_domain, event_type, event_timestamp, provider) values
  ('payments', 'payment_failed', '2030-03-03T10:00:00Z', 'marks-test'),
  ('payments', 'payment_failed', '2030-03-04T10:00:00Z', 'marks-test'),
  ('payments', 'payment_failed', ((now() at time zone 'UTC')::date - 1 + time '10:00') at time zone 'UTC', 'marks-test');
insert into public.events_raw (event_domain, event_type, event_timestamp, provider) values
  ('payments', 'payment_failed', '2030-03-03T11:00:00Z', 'marks-test');
select is(
  array(select metric_date from analytics.etl_late_day_marks order by metric_date, mark_id),
  array[(now() at time zone 'UTC')::date - 1, '2030-03-03'::date, '2030-03-03'::date],
  'each batch appends one mark per computed day and for yesterday (never a day not yet computed)');
select is(
  array(select metric_date from analytics.etl_pending_days order by metric_date),
  array[(now() at time zone 'UTC')::date - 1, '2030-03-03'::date],
  'etl_pending_days shows each marked day once');

set local role service_role;
select is((select count(*)::int from analytics.etl_pending_days), 2, 'service_role reads the pending days');
reset role;

select * from finish();
rollback;
