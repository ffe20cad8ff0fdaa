-- The GDPR suppression list: keyed hashes (privacy/subject_hash.sql) of erased users. Ingestion drops
-- the events of users on it, so replays cannot bring them back.
create table analytics.erased_subjects (
  subject_hash bytea primary key,
  erased_at timestamptz not null default now()
);
comment on table analytics.erased_subjects is
  'Suppression list: keyed hashes of erased users. Ingestion drops events of these users so replays cannot bring them back.';
comment on column analytics.erased_subjects.subject_hash is 'analytics.subject_hash(user_id) of the erased user.';
comment on column analytics.erased_subjects.erased_at is 'When the user was (last) erased.';
alter table analytics.erased_subjects enable row level security;
revoke all on analytics.erased_subjects from public, anon, authenticated;
grant select on analytics.erased_subjects to service_role;

-- A version of the list, so that ingestion can keep a copy of it per isolate: a batch reads one row
-- (the version) and the isolate reloads the list only when it changed, which happens only when a
-- user is erased. The version is a table row, not a sequence: it changes when the erasure commits,
-- never before, so a copy loaded under the new version always holds the new entry. And it is a
-- random id, not a counter: equal versions mean the same list even after a restore from a backup,
-- where a counter would count up again to numbers that isolates had already seen for other lists.
-- Its one row is added by a migration (..._privacy_rows.sql).
create table analytics.suppression_list_version (
  singleton boolean primary key default true,
  version uuid not null default gen_random_uuid(),
  subjects integer not null default 0,
  changed_at timestamptz not null default now(),
  constraint suppression_list_version_singleton check (singleton)
);
comment on table analytics.suppression_list_version is
  'Version of the suppression list (analytics.erased_subjects), one row, renewed by every statement that changes the list: ingestion reloads its copy of the list when it changes.';
comment on column analytics.suppression_list_version.singleton is 'Always true: the table holds one row.';
comment on column analytics.suppression_list_version.version is 'A new random id after every statement that writes analytics.erased_subjects.';
comment on column analytics.suppression_list_version.subjects is 'Entries on the list after that statement, about (concurrent erasures may miss each other''s); ingestion copies the list only while it is small.';
comment on column analytics.suppression_list_version.changed_at is 'When the list last changed.';
alter table analytics.suppression_list_version enable row level security;
revoke all on analytics.suppression_list_version from public, anon, authenticated;
grant select on analytics.suppression_list_version to service_role;

create or replace function analytics.bump_suppression_list_version()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The row lock serialises concurrent erasures; they are rare, and each one is already slow.
  update analytics.suppression_list_version
  set version = pg_catalog.gen_random_uuid(),
      subjects = (select count(*) from analytics.erased_subjects),
      changed_at = now();
  return null;
end;
$$;
comment on function analytics.bump_suppression_list_version() is
  'Statement trigger on analytics.erased_subjects: gives analytics.suppression_list_version a new version.';
revoke all on function analytics.bump_suppression_list_version() from public, anon, authenticated, service_role;

create trigger erased_subjects_bump_version
after insert or update or delete or truncate on analytics.erased_subjects
for each statement execute function analytics.bump_suppression_list_version();
comment on trigger erased_subjects_bump_version on analytics.erased_subjects is
  'Keeps analytics.suppression_list_version current: ingestion''s copies of the list depend on it.';

-- Ingestion's checks against the list, a batch at a time: by hash (erased_subjects_among, for hashes
-- it has cached), and by user id (erased_users_among, both steps at once, for the insert fallback
-- that retried batches take).
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
