-- DAU/WAU/MAU (analytics.refresh_activity_counts): the newest recorded day is counted from each
-- user's last active day (user_first_seen), an earlier day from the activity pairs of its 30 days.
-- Both must give the counts of the pairs, windows' edges included, and a later recorded day must
-- send the count to the pairs. Days in 2099, which nothing else records; rolled back.
begin;
select plan(6);

-- D = 2099-01-31. Each user's active days: D and D-11; D-4; D-26; D-29 (MAU's first day); D-30
-- (just outside MAU); D-31; D-7 (just outside WAU).
create temp table act (user_id uuid, activity_date date);
insert into act values
  ('00000000-0000-4000-8000-000000024001', '2099-01-31'), ('00000000-0000-4000-8000-000000024001', '2099-01-20'),
  ('00000000-0000-4000-8000-000000024002', '2099-01-27'),
  ('00000000-0000-4000-8000-000000024003', '2099-01-05'),
  ('00000000-0000-4000-8000-000000024004', '2099-01-02'),
  ('00000000-0000-4000-8000-000000024005', '2099-01-01'),
  ('00000000-0000-4000-8000-000000024006', '2098-12-31'),
  ('00000000-0000-4000-8000-000000024007', '2099-01-24');
insert into analytics.user_daily_activity (user_id, activity_date) select a.user_id, a.activity_date from act a;
insert into analytics.user_first_seen (user_id, first_seen_date, last_seen_date)
select a.user_id, min(a.activity_date), max(a.activity_date) from act a group by a.user_id;
insert into public.metrics_daily_engagement (metric_date) values ('2099-01-31'), ('2099-01-27'), ('2099-02-01');

create function pg_temp.counts(p_day date) returns bigint[] language sql as $$
  select array[m.dau, m.wau, m.mau] from public.metrics_daily_engagement m where m.metric_date = p_day
$$;

select is((select max(a.activity_date) from analytics.user_daily_activity a), '2099-01-31'::date,
  'no day after 2099-01-31 is recorded');
select is(analytics.refresh_activity_counts(array['2099-01-31', '2099-01-27']::date[]), 2::bigint, 'both days are counted');
select is(pg_temp.counts('2099-01-31'), array[1, 2, 5]::bigint[],
  'the newest day, from the users'' last days: DAU 1; WAU 2 (not the user of D-7); MAU 5 (the user of D-29, not of D-30)');
select is(pg_temp.counts('2099-01-27'), array[1, 2, 7]::bigint[],
  'an earlier day, from its pairs: DAU 1; WAU 2 (the user of its D-3, not of its D-7); MAU 7');

-- The user of D comes back the day after: their last day is no longer D (counted from the users'
-- last days, D would lose its one active user).
insert into analytics.user_daily_activity (user_id, activity_date) values ('00000000-0000-4000-8000-000000024001', '2099-02-01');
update analytics.user_first_seen set last_seen_date = '2099-02-01' where user_id = '00000000-0000-4000-8000-000000024001';
select analytics.refresh_activity_counts(array['2099-02-01', '2099-01-31']::date[]);
select is(pg_temp.counts('2099-01-31'), array[1, 2, 5]::bigint[],
  'a day recorded after D: D counted from its pairs, the same counts');
select is(pg_temp.counts('2099-02-01'), array[1, 2, 4]::bigint[],
  'the new newest day, from the users'' last days: DAU 1; WAU 2; MAU 4 (not the user of its D-30)');

select * from finish();
rollback;
