-- Ingestion's erased-user check without an HMAC per event batch. The HMAC of
-- analytics.erased_users_among (about 4-8 us a user, most of the database's extra CPU per ingested
-- event once the suppression list is not empty) depends only on the user id and the project's
-- fixed key, so the ingest function asks for each user's hash once (subject_hashes), keeps it in
-- memory, and checks every batch against the list by hash (erased_subjects_among).

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
