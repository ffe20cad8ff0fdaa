// As root, the cluster runs as the postgres OS user, which cannot enter a checkout under a mode-700
// directory (the usual `git clone` into /root/<clone> on a fresh server). Such a checkout must
// still get a working stack: a copy of this checkout in a fresh mode-700 directory, on ports of its
// own (beside the stack running the suite), comes up, answers a query and stops again.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const isRoot = process.getuid?.() === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The checkout's files as git lists them (tracked, and new ones not ignored): what a clone holds. */
function copyCheckout(to: string) {
  const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  expect(files.status, files.stderr).toBe(0);
  for (const file of files.stdout.split("\0").filter(Boolean)) {
    if (existsSync(join(ROOT, file))) cpSync(join(ROOT, file), join(to, file), { recursive: true });
  }
  // Cheap: the same packages, and the dashboard the running stack has built (copied, so newer
  // than its sources: no rebuild).
  symlinkSync(join(ROOT, "node_modules"), join(to, "node_modules"));
  cpSync(join(ROOT, "dashboard/dist"), join(to, "dashboard/dist"), { recursive: true });
}

describe.skipIf(!isRoot)("a root checkout the postgres OS user cannot enter", () => {
  it("brings the stack up, answers a query and stops", async () => {
    const parent = mkdtempSync(join(tmpdir(), "samia-root-checkout-"));
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    const checkout = join(parent, "samia-tarot-analytics");
    copyCheckout(checkout);
    const [db, functions, dashboard] = [await freePort(), await freePort(), await freePort()];
    // Only its own ports: none of the running stack's STACK_* settings.
    const env: Record<string, string> = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith("STACK_") && v !== undefined)) as Record<string, string>;
    Object.assign(env, { STACK_DB_PORT: String(db), STACK_FUNCTIONS_PORT: String(functions), STACK_DASHBOARD_PORT: String(dashboard) });
    const run = (script: string) => spawnSync("bash", [`stack/${script}`], { cwd: checkout, env, encoding: "utf8", timeout: 180_000 });

    const settings = spawnSync("bash", ["-c", 'source stack/env.sh && printf %s "$PGDATA"'], { cwd: checkout, env, encoding: "utf8" });
    const pgdata = settings.stdout;
    try {
      expect(settings.status, settings.stderr).toBe(0);
      const up = run("up.sh");
      expect(up.status, `${up.stdout}\n${up.stderr}`).toBe(0);
      const sql = postgres(`postgresql://postgres:postgres@127.0.0.1:${db}/postgres`, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql<{ data_directory: string; types: number }[]>`
          select current_setting('data_directory') as data_directory, count(*)::int as types from public.event_schema_versions`;
        expect(row.data_directory).toBe(pgdata);
        expect(row.types).toBeGreaterThan(0);
      } finally {
        await sql.end();
      }
      expect(pgdata.startsWith(checkout)).toBe(false);
      const down = run("down.sh");
      expect(down.status, down.stderr).toBe(0);
      expect(down.stdout).toContain("stopping Postgres");
    } finally {
      run("down.sh");
      rmSync(parent, { recursive: true, force: true });
      // The cluster's home outside the checkout (pgdata, run, logs): the copy is gone, so is it.
      if (pgdata.startsWith("/var/lib/samia-tarot-stack/")) rmSync(dirname(pgdata), { recursive: true, force: true });
    }
  }, 240_000);
});
