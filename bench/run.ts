// `npm run bench [-- --only ingest,etl] [--events N] [--key value ...]`: runs every suite in
// bench/suites against the local stack and prints one table. Each suite measures its own baseline
// in the same run (e.g. raw COPY into the same table) and states the ratio to it.
import { readdirSync } from "node:fs";
import { printTable, progress } from "./lib.ts";
import type { BenchRow, BenchSuite } from "./lib.ts";

const args = new Map<string, string>();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (!a.startsWith("--")) throw new Error(`unexpected argument '${a}'`);
  const next = argv[i + 1];
  if (next === undefined || next.startsWith("--")) args.set(a.slice(2), "true");
  else args.set(a.slice(2), argv[++i]);
}
const events = Number(args.get("events") ?? 200_000);
if (!Number.isInteger(events) || events <= 0) throw new Error("--events must be a positive integer");
const only = args.get("only")?.split(",");

const suiteFiles = readdirSync(new URL("./suites/", import.meta.url)).filter((f) => f.endsWith(".ts")).sort();
const rows: BenchRow[] = [];
for (const file of suiteFiles) {
  const suite = (await import(`./suites/${file}`)).default as BenchSuite;
  if (only && !only.includes(suite.name)) continue;
  progress(`suite ${suite.name}`);
  rows.push(...(await suite.run({ events, args })));
}
printTable(rows);
