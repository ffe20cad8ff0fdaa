-- Which jobs a late event reruns on its day (analytics.etl_jobs_reading), for every type of the
-- catalog: each writer reads its domain's events (etl/<job>.sql), engagement the user-initiated
-- ones of any domain, notifications and listens, and cohort retention follows engagement. A type
-- added to the catalog fails the first test until it is listed here with the jobs that read it.
begin;
select plan(3);

select set_eq(
  $$ select c.event_type || ':' || array_to_string(analytics.etl_jobs_reading(c.event_domain, c.event_type, c.user_initiated), ',')
     from (select distinct on (v.event_type) v.* from public.event_schema_versions v order by v.event_type, v.version desc) c $$,
  array[
    'order_created:fulfillment,engagement,cohort_retention', 'order_assigned:fulfillment', 'order_submitted:fulfillment',
    'order_completed:fulfillment', 'order_cancelled:fulfillment', 'order_approved:fulfillment', 'order_rejected:fulfillment',
    'payment_attempted:payments,engagement,cohort_retention', 'payment_succeeded:payments', 'payment_failed:payments',
    'refund_issued:payments',
    'call_started:calls,engagement,cohort_retention', 'call_answered:calls', 'call_ended:calls', 'call_dropped:calls',
    'notification_sent:engagement,cohort_retention', 'notification_delivered:engagement,cohort_retention',
    'notification_opened:engagement,cohort_retention', 'notification_opted_out:engagement,cohort_retention',
    'horoscope_uploaded:content', 'horoscope_approved:content', 'horoscope_rejected:content', 'horoscope_published:content',
    'horoscope_listened:engagement,cohort_retention',
    'content_flagged:engagement,cohort_retention', 'appeal_submitted:engagement,cohort_retention', 'moderation_decision:'],
  'every catalog type reruns the jobs that read it on its day');

select is(analytics.etl_jobs_reading('moderation', 'moderation_decision', true), array['engagement', 'cohort_retention'],
  'a type made user-initiated reruns engagement and cohort retention, whatever its domain');
select ok(
  (select bool_and(j = any(analytics.etl_job_names())) from public.event_schema_versions v,
     unnest(analytics.etl_jobs_reading(v.event_domain, v.event_type, true)) as j),
  'every job named is a pipeline job');

select * from finish();
rollback;
