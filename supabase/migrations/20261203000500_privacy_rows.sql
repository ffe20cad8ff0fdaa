-- The one-row tables of supabase/schemas/privacy: the project's secret key for subject hashes
-- (generated here, in the database, never anywhere else) and the suppression list's first version.
insert into analytics.privacy_key default values on conflict do nothing;
insert into analytics.suppression_list_version (subjects)
select count(*) from analytics.erased_subjects
on conflict do nothing;
