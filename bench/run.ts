// `npm run bench [-- --only ingest,etl] [--events N] [--key value ...]`: runs every suite in
// bench/suites against the local stack and prints one table (an opt-in suite only when asked for:
// `--only scale` or `--scale`). Each suite measures its own baseline
// in the same run (e.g. raw COPY into the same table) and states the ratio to it.
import { readdirSync } from "node:fs";
import type { ParseArgsOptionsConfig } from "node:util";
import { parseCli, positiveInt, runCli } from "../lib/cli.ts";
import { printTable, progress } from "./lib.ts";
import type { BenchOptions, BenchRow, BenchSuite } from "./lib.ts";

runCli("bench", async () => {
  const suiteFiles = readdirSync(new URL("./suites/", import.meta.url)).filter((f) => f.endsWith(".ts")).sort();
  const suites: BenchSuite[] = [];
  for (const file of suiteFiles) suites.push((await import(`./suites/${file}`)).default as BenchSuite);

  // The runner's options and every suite's own (no suite declares `multiple`).
  const options: ParseArgsOptionsConfig = Object.assign({ only: { type: "string" }, events: { type: "string" } }, ...suites.map((s) => s.options));
  const args = parseCli({ args: process.argv.slice(2), options }).values as BenchOptions["args"];
  const events = positiveInt(args.events as string | undefined, "events", 200_000);
  const switchedOn = suites.filter((s) => s.optIn && args[s.name] === true).map((s) => s.name);
  const only = (args.only as string | undefined)?.split(",") ?? (switchedOn.length ? switchedOn : undefined);

  const rows: BenchRow[] = [];
  for (const suite of suites) {
    if (only ? !only.includes(suite.name) : suite.optIn) continue;
    progress(`suite ${suite.name}`);
    rows.push(...(await suite.run({ events, args })));
  }
  printTable(rows);
});
