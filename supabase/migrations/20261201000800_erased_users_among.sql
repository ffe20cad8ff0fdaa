-- Which of a batch's users are on the suppression list, asked once per batch. Ingestion asked it
-- with one analytics.subject_hash() call per user in a correlated EXISTS: about 12 us a user, most
-- of it calling a security-definer SQL function (never inlined) and running its query for the key,
-- which doubled the database's CPU per ingested event as soon as one user had been erased. Here
-- the key is read once and each user costs one HMAC and one probe of the list.
create or replace function analytics.erased_users_among(p_user_ids uuid[])
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select u.user_id
  from unnest(p_user_ids) as u(user_id)
  where exists (select 1 from analytics.erased_subjects)
    -- The keyed hash of analytics.subject_hash, with the key read once for the whole array.
    and extensions.hmac(u.user_id::text::bytea, (select k.key from analytics.privacy_key k), 'sha256')
      in (select s.subject_hash from analytics.erased_subjects s)
$$;
comment on function analytics.erased_users_among(uuid[]) is
  'The given user ids that are on the suppression list (analytics.erased_subjects); used by ingestion to drop erased users'' events.';
revoke all on function analytics.erased_users_among(uuid[]) from public, anon, authenticated;
grant execute on function analytics.erased_users_among(uuid[]) to service_role;
