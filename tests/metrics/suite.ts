// Per-file setup of the metrics suites: seed the fixtures before, remove them after, mint tokens.
import { afterAll, beforeAll } from "vitest";
import { connect } from "../helpers/db.ts";
import { removeFixtures, seedFixtures } from "./fixtures.ts";
import { tokens } from "./tokens.ts";

export type Tokens = Awaited<ReturnType<typeof tokens>>;

export function useSeededMetrics() {
  const sql = connect();
  const ctx = { sql, t: {} as Tokens };
  beforeAll(async () => {
    ctx.t = await tokens();
    await seedFixtures(sql);
  });
  afterAll(async () => {
    await removeFixtures(sql);
    await sql.end();
  });
  return ctx;
}
