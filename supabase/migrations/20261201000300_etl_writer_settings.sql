-- No JIT for the ETL writers. The planner's cost for a BRIN day scan grows with the partition, not
-- with the day: with 30 days in a month partition every writer's statement crossed
-- jit_optimize_above_cost / jit_inline_above_cost, and LLVM compilation took 3.2 s of a 10.7 s
-- pipeline (1.8 s for fulfillment alone) while the statements themselves are single passes over
-- one day. Without JIT the cost of a day no longer depends on how much else the partition holds.
-- (work_mem was tried too: 128MB removed the sorts' spills but made engagement's plan slower.)
alter function analytics.write_fulfillment_metrics(date) set jit = off;
alter function analytics.write_payments_metrics(date) set jit = off;
alter function analytics.write_calls_metrics(date) set jit = off;
alter function analytics.write_engagement_metrics(date) set jit = off;
alter function analytics.write_content_metrics(date) set jit = off;
alter function analytics.write_cohort_retention_metrics(date) set jit = off;
