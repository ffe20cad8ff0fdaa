// The drift check of npm test (stack/db-diff.sh --check), run on a copy of the checkout: a schema file
// changed without a migration, or a migration without the schema file, fails it and shows the
// statements that differ. (On the checkout itself npm test runs it and it passes.)
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function copyOfCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), "schema-drift-"));
  copies.push(dir);
  cpSync("stack", join(dir, "stack"), { recursive: true });
  for (const part of ["config.toml", "schemas", "migrations"]) cpSync(join("supabase", part), join(dir, "supabase", part), { recursive: true });
  if (existsSync(".stack.env")) cpSync(".stack.env", join(dir, ".stack.env"));
  return dir;
}

function edit(file: string, from: string, to: string) {
  const text = readFileSync(file, "utf8");
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

function driftCheck(dir: string) {
  const run = spawnSync("bash", [join(dir, "stack/db-diff.sh"), "--check"], { encoding: "utf8" });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe("the schema drift check", () => {
  it("fails when a schema file changes without a migration, and shows the statements to write", { timeout: 240_000 }, () => {
    const dir = copyOfCheckout();
    edit(join(dir, "supabase/schemas/events.sql"), "'Correlation id of the request that emitted the event.'", "'Correlation id.'");
    // The CLI's diff writes no comments on view columns: stack/scratch-db.sh adds them from the catalog.
    edit(join(dir, "supabase/schemas/operations/runbook_views.sql"), "'Runs of this job for this day so far.'", "'Runs so far.'");

    const { status, output } = driftCheck(dir);
    expect(status).toBe(1);
    expect(output).toContain("DRIFT");
    expect(output).toContain(`COMMENT ON COLUMN "public"."events_raw"."request_id" IS 'Correlation id.';`);
    expect(output).toContain("comment on column public.etl_status_by_date.runs is 'Runs so far.';");
    expect(output).toContain("npm run db:diff -- <name>");
  });

  it("fails on a difference only pg_dump sees: the order of a table's columns", { timeout: 240_000 }, () => {
    const dir = copyOfCheckout();
    edit(join(dir, "supabase/schemas/catalog.sql"), "  status_values text[],\n  client_emittable boolean not null default false,\n",
      "  client_emittable boolean not null default false,\n  status_values text[],\n");

    const { status, output } = driftCheck(dir);
    expect(status).toBe(1);
    expect(output).not.toContain("These statements would turn");
    expect(output).toMatch(/only in supabase\/schemas: -- Name: event_schema_versions; Type: TABLE;[^]*client_emittable boolean DEFAULT false NOT NULL,\n\s*status_values text\[\],/);
  });

  it("fails when a migration changes the schema without the schema files", { timeout: 240_000 }, () => {
    const dir = copyOfCheckout();
    writeFileSync(
      join(dir, "supabase/migrations/29991231000000_undeclared_index.sql"),
      "create index etl_job_runs_status_idx on public.etl_job_runs (status);\n",
    );

    const { status, output } = driftCheck(dir);
    expect(status).toBe(1);
    expect(output).toContain(`DROP INDEX "public"."etl_job_runs_status_idx";`);
    expect(output).toContain("only in the migrations: -- Name: etl_job_runs_status_idx; Type: INDEX");
  });
});
