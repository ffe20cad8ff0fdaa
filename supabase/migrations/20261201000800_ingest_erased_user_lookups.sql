-- Ingestion's erased-user check, a batch at a time. It used one analytics.subject_hash() call per
-- user in a correlated EXISTS: about 12 us a user, which doubled the database's CPU per ingested
-- event as soon as one user had been erased. A user's hash depends only on the user id and the
-- project's fixed key, so the ingest function asks for each user's hash once (subject_hashes),
-- keeps it in memory, and checks every batch against the list by hash (erased_subjects_among).
-- erased_users_among does both at once, for the insert fallback (retried batches only).

create or replace function analytics.subject_hashes(p_user_ids uuid[])
returns table (user_id uuid, subject_hash bytea)
language sql
stable
security definer
set search_path = ''
as $$
  -- analytics.subject_hash for each user, with the key read once for the whole array.
  select u.user_id, extensions.hmac(u.user_id::text::bytea, (select k.key from analytics.privacy_key k), 'sha256')
  from unnest(p_user_ids) as u(user_id)
  where u.user_id is not null
$$;
comment on function analytics.subject_hashes(uuid[]) is
  'analytics.subject_hash of each given user id (nulls skipped): lets ingestion cache the hashes it checks against the suppression list.';
revoke all on function analytics.subject_hashes(uuid[]) from public, anon, authenticated;
grant execute on function analytics.subject_hashes(uuid[]) to service_role;

create or replace function analytics.erased_subjects_among(p_subject_hashes bytea[])
returns setof bytea
language sql
stable
security definer
set search_path = ''
as $$
  -- One primary-key probe per hash: the cost does not grow with the list.
  select s.subject_hash
  from analytics.erased_subjects s
  where s.subject_hash = any(p_subject_hashes)
$$;
comment on function analytics.erased_subjects_among(bytea[]) is
  'The given subject hashes that are on the suppression list (analytics.erased_subjects); ingestion drops those users'' events.';
revoke all on function analytics.erased_subjects_among(bytea[]) from public, anon, authenticated;
grant execute on function analytics.erased_subjects_among(bytea[]) to service_role;

create or replace function analytics.erased_users_among(p_user_ids uuid[])
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  -- The uncorrelated EXISTS is a one-time filter: no hashing at all while the list is empty.
  select h.user_id
  from analytics.subject_hashes(p_user_ids) as h
  join analytics.erased_subjects as s on s.subject_hash = h.subject_hash
  where exists (select 1 from analytics.erased_subjects)
$$;
comment on function analytics.erased_users_among(uuid[]) is
  'The given user ids that are on the suppression list (analytics.erased_subjects); used by ingestion''s insert fallback to drop erased users'' events.';
revoke all on function analytics.erased_users_among(uuid[]) from public, anon, authenticated;
grant execute on function analytics.erased_users_among(uuid[]) to service_role;
