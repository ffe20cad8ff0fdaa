-- Execution settings of the ETL writers (each runs alone, once a night).

-- No JIT. The planner's cost for a BRIN day scan grows with the partition, not with the day: with
-- 30 days in a month partition every writer's statement crossed jit_optimize_above_cost /
-- jit_inline_above_cost, and LLVM compilation took 3.2 s of a 10.7 s pipeline (1.8 s for
-- fulfillment alone) while the statements themselves are single passes over one day.
-- (work_mem was tried too: 128MB removed the sorts' spills but made engagement's plan slower.)
alter function analytics.write_fulfillment_metrics(date) set jit = off;
alter function analytics.write_payments_metrics(date) set jit = off;
alter function analytics.write_calls_metrics(date) set jit = off;
alter function analytics.write_engagement_metrics(date) set jit = off;
alter function analytics.write_content_metrics(date) set jit = off;
alter function analytics.write_cohort_retention_metrics(date) set jit = off;

-- The cohort job joins user_first_seen with user_daily_activity right after the engagement job has
-- filled them. With their statistics still saying "empty" a nested loop over sequential scans is
-- what the planner picks, quadratic in the day's users; a hash or merge join is linear whatever the
-- statistics say. (The engagement job's own statement: 20261201000400.)
alter function analytics.write_cohort_retention_metrics(date) set enable_nestloop = off;
