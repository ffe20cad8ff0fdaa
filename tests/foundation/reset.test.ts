// db:reset drops everything and re-applies the platform stand-in and every migration; twice in a row.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";

const sql = connect();
afterAll(() => sql.end());

describe("db:reset", () => {
  it("re-creates the schema from an empty database, twice in a row", async () => {
    await sql`insert into public.events_raw (event_domain, event_type, event_timestamp) values ('orders', 'order_created', now())`;
    await sql.end();
    for (let i = 0; i < 2; i++) execFileSync("bash", ["stack/db-reset.sh"], { stdio: "pipe" });

    const fresh = connect();
    try {
      const [{ n }] = await fresh<{ n: number }[]>`select count(*)::int as n from public.events_raw`;
      expect(n).toBe(0);
      const applied = await fresh<{ version: string }[]>`select version from supabase_migrations.schema_migrations`;
      expect(applied.length).toBe(readdirSync("supabase/migrations").filter((f) => f.endsWith(".sql")).length);
      const [{ catalog }] = await fresh<{ catalog: number }[]>`select count(*)::int as catalog from public.event_schema_versions`;
      expect(catalog).toBe(27);
    } finally {
      await fresh.end();
    }
  });
});
