// The data versions behind the metrics response cache under concurrency: two transactions writing
// the same table never wait on each other for the version (each bumps a row of its own and only
// folds rows nobody holds), every committed write statement still counts, and the table stays
// small because later writers fold earlier rows.
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";

const sql = connect({ max: 3 });
const TABLE = "metrics_daily_engagement";

afterAll(async () => {
  await sql.end();
});

async function version(): Promise<number> {
  const [{ v }] = await sql<{ v: number }[]>`
    select coalesce(sum(version), 0)::int as v from analytics.metrics_table_versions where table_name = ${TABLE}`;
  return v;
}

describe("analytics.metrics_table_versions", () => {
  it("lets a second writer commit while the first still holds its version row, and counts both", async () => {
    const before = await version();
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstWrote!: () => void;
    const firstHasWritten = new Promise<void>((resolve) => (firstWrote = resolve));
    const first = sql.begin(async (tx) => {
      await tx`delete from public.metrics_daily_engagement where false`;
      firstWrote();
      await firstMayCommit;
    });
    await firstHasWritten;
    // Would fail with lock_timeout if the bump waited for the first transaction's version row.
    await sql.begin(async (tx) => {
      await tx`set local lock_timeout = '2s'`;
      await tx`delete from public.metrics_daily_engagement where false`;
      await tx`delete from public.metrics_daily_engagement where false`;
    });
    expect(await version()).toBe(before + 2); // the first is not committed yet: invisible
    releaseFirst();
    await first;
    expect(await version()).toBe(before + 3);
  });

  it("folds the rows of finished transactions into the next writer's row", async () => {
    const before = await version();
    for (let i = 0; i < 5; i++) await sql`delete from public.metrics_daily_engagement where false`;
    const [{ rows }] = await sql<{ rows: number }[]>`
      select count(*)::int as rows from analytics.metrics_table_versions where table_name = ${TABLE}`;
    expect(rows).toBe(1);
    expect(await version()).toBe(before + 5);
  });
});
