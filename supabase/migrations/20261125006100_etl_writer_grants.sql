-- The compute_* entry points run with the caller's rights, so a pipeline started by service_role
-- (backends, the runbook) must be able to execute the per-domain writer functions too. Still
-- nothing for anon/authenticated.
grant execute on function analytics.write_fulfillment_metrics(date), analytics.write_payments_metrics(date),
  analytics.write_calls_metrics(date), analytics.write_engagement_metrics(date),
  analytics.write_content_metrics(date), analytics.write_cohort_retention_metrics(date)
  to service_role;
