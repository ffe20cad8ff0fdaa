-- Indexes for reads through the metrics API and PostgREST. Date-range reads already use the
-- tables' unique keys (metric_date first). A reader's request filters on reader_id (RLS) over
-- 31 days: without this index it scans every reader's rows of those days.
create index metrics_daily_fulfillment_reader_date_idx
  on public.metrics_daily_fulfillment (reader_id, metric_date);
comment on index public.metrics_daily_fulfillment_reader_date_idx is
  'Per-reader date ranges: the reader RLS policy (reader_id = auth.uid(), last 30 days) and ?reader_id= filters.';
