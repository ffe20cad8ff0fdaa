// The nightly's per-user writes at realistic history sizes (`npm run bench -- --activity`; not
// part of the default run): `--activity-days` days (default 90) of `--activity-daily` active users a
// day (default 173,000, the ETL suite's 1M-event day) drawn from `--activity-users` (1,000,000) are
// loaded into scratch copies of analytics.user_daily_activity and analytics.user_first_seen (their
// definitions and storage options read from the catalog), then a new day's writes are timed as the
// engagement job does them: the day's pairs inserted in key order, each user's row moved to the
// new last day. The baseline, in the same run: the layout before the eleventh session (pairs keyed
// by user, plus a date index; the users' rows only probed). Each round starts after a checkpoint
// (its WAL then holds the full-page images a night after a checkpoint writes) and is rolled back.
// Then DAU/WAU/MAU of the newest loaded day, as analytics.refresh_activity_counts counts them (from
// each user's last day), against its baseline (from the 30 days' pairs, as an earlier day is
// counted); both must give the same counts. The scratch schema is dropped at the end.
import postgres from "postgres";
import { LOCAL_DB_URL } from "../../stack/local-settings.ts";
import { median } from "../../lib/stats.ts";
import { intArg, progress } from "../lib.ts";
import type { BenchOptions, BenchRow, BenchSuite } from "../lib.ts";
import { walLsn, walSince } from "../scale-db.ts";

const ROUNDS = 3;
const NEW_DAY = "2013-01-01"; // after every loaded day

type Round = { seconds: number; wal: number };

async function load(sql: postgres.Sql, days: number, daily: number, users: number) {
  const share = daily / users;
  await sql`drop schema if exists bench_activity cascade`;
  await sql`create schema bench_activity`;
  const options = async (table: string) => {
    const [{ o }] = await sql<{ o: string | null }[]>`
      select array_to_string(reloptions, ', ') as o from pg_catalog.pg_class where oid = ${table}::regclass`;
    return o ? ` with (${o})` : "";
  };
  // The current layout: the tables as declared, indexes, constraints and storage options included.
  await sql.unsafe(`create table bench_activity.pairs (like analytics.user_daily_activity including all)${await options("analytics.user_daily_activity")}`);
  await sql.unsafe(`create table bench_activity.users (like analytics.user_first_seen including all)${await options("analytics.user_first_seen")}`);
  // The baseline: pairs keyed by user, with a date index; the users' rows without a last day.
  await sql`create table bench_activity.pairs_by_user (user_id uuid not null, activity_date date not null, primary key (user_id, activity_date))`;
  await sql`create index on bench_activity.pairs_by_user (activity_date)`;
  await sql`create table bench_activity.first_seen (user_id uuid primary key, first_seen_date date not null)`;

  await sql`create table bench_activity.population as select gen_random_uuid() as user_id from generate_series(1, ${users}::int)`;
  const first = `date '${NEW_DAY}' - ${days}`;
  for (let d = 0; d < days; d++) {
    await sql.unsafe(`insert into bench_activity.pairs (user_id, activity_date)
      select user_id, ${first} + ${d} from bench_activity.population where random() < ${share} order by 1`);
    if ((d + 1) % 10 === 0 || d + 1 === days) progress(`activity: loaded ${d + 1} of ${days} days`);
  }
  await sql`insert into bench_activity.pairs_by_user select user_id, activity_date from bench_activity.pairs order by 1, 2`;
  await sql`insert into bench_activity.users (user_id, first_seen_date, last_seen_date)
    select user_id, min(activity_date), max(activity_date) from bench_activity.pairs group by 1`;
  await sql`insert into bench_activity.first_seen select user_id, first_seen_date from bench_activity.users`;
  await sql.unsafe(`create table bench_activity.day as
    select user_id from bench_activity.population where random() < ${share} order by 1`);
  for (const t of ["pairs", "pairs_by_user", "users", "first_seen", "day"]) await sql.unsafe(`vacuum analyze bench_activity.${t}`);
}

/** The statements of one layout, after a checkpoint, in a transaction rolled back. */
async function round(sql: postgres.Sql, statements: string[]): Promise<Round> {
  await sql`checkpoint`;
  const from = await walLsn(sql);
  let seconds = 0;
  await sql.begin(async (tx) => {
    const t0 = performance.now();
    for (const s of statements) await tx.unsafe(s);
    seconds = (performance.now() - t0) / 1000;
    throw new RollBack();
  }).catch((e) => { if (!(e instanceof RollBack)) throw e; });
  return { seconds, wal: await walSince(sql, from) };
}
class RollBack extends Error {}

// As etl/engagement.sql writes a new day: its pairs in key order; returning users' rows moved to
// the new last day (a probe each); new users' rows inserted.
const CURRENT = [
  `insert into bench_activity.pairs (user_id, activity_date) select user_id, date '${NEW_DAY}' from bench_activity.day order by 1`,
  `update bench_activity.users f set last_seen_date = date '${NEW_DAY}'
   where f.user_id = any(array(select d.user_id from bench_activity.day d)) and f.last_seen_date < date '${NEW_DAY}'`,
  `insert into bench_activity.users as f (user_id, first_seen_date, last_seen_date)
   select d.user_id, date '${NEW_DAY}', date '${NEW_DAY}' from bench_activity.day d
   where coalesce((select f0.first_seen_date from bench_activity.users f0 where f0.user_id = d.user_id), 'infinity'::date) > date '${NEW_DAY}'
   on conflict (user_id) do update
     set first_seen_date = least(f.first_seen_date, excluded.first_seen_date),
         last_seen_date = greatest(f.last_seen_date, excluded.last_seen_date)
   where f.first_seen_date > excluded.first_seen_date or f.last_seen_date < excluded.last_seen_date`,
];
// The layout before: the pairs into a key by user and a date index; new users' rows only.
const BEFORE = [
  `insert into bench_activity.pairs_by_user (user_id, activity_date) select user_id, date '${NEW_DAY}' from bench_activity.day order by 1`,
  `insert into bench_activity.first_seen as f (user_id, first_seen_date)
   select d.user_id, date '${NEW_DAY}' from bench_activity.day d
   where coalesce((select f0.first_seen_date from bench_activity.first_seen f0 where f0.user_id = d.user_id), 'infinity'::date) > date '${NEW_DAY}'
   on conflict (user_id) do update set first_seen_date = excluded.first_seen_date where f.first_seen_date > excluded.first_seen_date`,
];

// DAU/WAU/MAU of the newest loaded day, both ways of refresh_activity_counts (etl/nightly.sql).
const COUNTED = `date '${NEW_DAY}' - 1`;
const COUNTS_FROM_PAIRS = `select count(*) filter (where x.last_day = ${COUNTED}) as dau,
    count(*) filter (where x.last_day > ${COUNTED} - 7) as wau, count(*) as mau
  from (select a.user_id, max(a.activity_date) as last_day from bench_activity.pairs a
        where a.activity_date > ${COUNTED} - 30 and a.activity_date <= ${COUNTED} group by a.user_id) x`;
const COUNTS_FROM_USERS = `select count(*) filter (where f.last_seen_date = ${COUNTED}) as dau,
    count(*) filter (where f.last_seen_date > ${COUNTED} - 7) as wau, count(*) as mau
  from bench_activity.users f where f.last_seen_date > ${COUNTED} - 30`;

/** One count, timed; its DAU/WAU/MAU as text for the comparison. */
type Count = { seconds: number; counts: string };
async function count(sql: postgres.Sql, statement: string): Promise<Count> {
  const t0 = performance.now();
  const [r] = await sql.unsafe<{ dau: string; wau: string; mau: string }[]>(statement);
  return { seconds: (performance.now() - t0) / 1000, counts: `${r.dau} / ${r.wau} / ${r.mau}` };
}

async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const days = intArg(opts, "activity-days", 90);
  const daily = intArg(opts, "activity-daily", 173_000);
  const users = intArg(opts, "activity-users", 1_000_000);
  if (daily > users) throw new Error("--activity-daily cannot exceed --activity-users");
  const sql = postgres(LOCAL_DB_URL, { max: 1, onnotice: () => {} });
  try {
    await load(sql, days, daily, users);
    const [size] = await sql<{ pairs: number; day: number; users: number; key_mb: number; old_key_mb: number }[]>`
      select (select count(*) from bench_activity.pairs)::float8 as pairs, (select count(*) from bench_activity.day)::float8 as day,
        (select count(*) from bench_activity.users)::float8 as users,
        (pg_catalog.pg_relation_size('bench_activity.pairs_pkey') / 1048576.0)::float8 as key_mb,
        (pg_catalog.pg_relation_size('bench_activity.pairs_by_user_pkey') / 1048576.0)::float8 as old_key_mb`;
    const before: Round[] = [];
    const current: Round[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      before.push(await round(sql, BEFORE));
      current.push(await round(sql, CURRENT));
      progress(`activity: round ${r} of ${ROUNDS}`);
    }
    // The writers' settings (work_mem, no JIT), as the engagement job runs the count.
    await sql`set work_mem = '128MB'`;
    await sql`set jit = off`;
    const fromPairs: Count[] = [];
    const fromUsers: Count[] = [];
    await count(sql, COUNTS_FROM_PAIRS); // warm-up: the tables' pages cached for both
    await count(sql, COUNTS_FROM_USERS);
    for (let r = 1; r <= ROUNDS; r++) {
      fromPairs.push(await count(sql, COUNTS_FROM_PAIRS));
      fromUsers.push(await count(sql, COUNTS_FROM_USERS));
    }
    const counts = new Set([...fromPairs, ...fromUsers].map((x) => x.counts));
    if (counts.size !== 1) throw new Error(`activity: DAU / WAU / MAU differ between the two counts: ${[...counts].join(", ")}`);
    const mb = (rounds: Round[]) => `WAL ${(median(rounds.map((x) => x.wal)) / 1048576).toFixed(0)} MB (rounds: ${rounds.map((x) => (x.wal / 1048576).toFixed(0)).join(" ")})`;
    const secs = (rounds: { seconds: number }[]) => `rounds: ${rounds.map((x) => x.seconds.toFixed(2)).join(" ")}`;
    const loaded = `${days} days of pairs kept (${Math.round(size.pairs).toLocaleString("en-US")}), ${users.toLocaleString("en-US")} users`;
    const of = `${loaded}; after a checkpoint, median of ${ROUNDS}`;
    const baseline = "a new day's activity writes, pairs keyed by user (before)";
    const countBaseline = "DAU/WAU/MAU of the newest day, from the 30 days' pairs";
    const countExtra = (rounds: { seconds: number }[]) =>
      `DAU / WAU / MAU ${[...counts][0]}; ${secs(rounds)}; median of ${ROUNDS}, warm; ${loaded}`;
    return [
      { suite: "activity", case: baseline, n: size.day, unit: "users", seconds: median(before.map((x) => x.seconds)),
        extra: `${mb(before)}; ${secs(before)}; key ${size.old_key_mb.toFixed(0)} MB plus a date index; ${of}` },
      { suite: "activity", case: "a new day's activity writes, pairs keyed by day, last day per user", n: size.day, unit: "users",
        seconds: median(current.map((x) => x.seconds)), baseline,
        extra: `${mb(current)}; ${secs(current)}; key ${size.key_mb.toFixed(0)} MB; ${of}` },
      { suite: "activity", case: countBaseline, n: size.users, unit: "users", seconds: median(fromPairs.map((x) => x.seconds)),
        extra: countExtra(fromPairs) },
      { suite: "activity", case: "DAU/WAU/MAU of the newest day, from each user's last day", n: size.users, unit: "users",
        seconds: median(fromUsers.map((x) => x.seconds)), baseline: countBaseline, extra: countExtra(fromUsers) },
    ];
  } finally {
    await sql`drop schema if exists bench_activity cascade`;
    await sql.end();
  }
}

const suite: BenchSuite = {
  name: "activity",
  optIn: true,
  options: { activity: { type: "boolean" }, "activity-days": { type: "string" }, "activity-daily": { type: "string" }, "activity-users": { type: "string" } },
  run,
};
export default suite;
