-- Rate-limit buckets of user tokens carry a user id inside a text key ('user:<uuid>'). Expose it
-- as a uuid column named user_id so that GDPR erasure (analytics.user_data_columns) finds it.
alter table analytics.ingest_rate_limits
  add column user_id uuid generated always as (
    case when bucket like 'user:%' then substr(bucket, 6)::uuid end) stored;
comment on column analytics.ingest_rate_limits.user_id is
  'The user of a user:<uuid> bucket (null for the service bucket); lets erasure find the row.';
