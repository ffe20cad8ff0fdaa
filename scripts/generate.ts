// `npm run generate -- --days N --events-per-day M --seed S [--end-date YYYY-MM-DD] [--dry-run | --out file.jsonl]`
// Generates synthetic events (scripts/generator) and loads them into the local stack with COPY,
// or writes them as JSON lines (--out), or only counts them (--dry-run).
import { createWriteStream } from "node:fs";
import postgres from "postgres";
import { LOCAL_DB_URL } from "../stack/local-settings.ts";
import { copyEvents, generateDays } from "./generator/index.ts";

function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith("--")) throw new Error(`unexpected argument '${argv[i]}'`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) args.set(argv[i].slice(2), "true");
    else args.set(argv[i].slice(2), argv[++i]);
  }
  return args;
}

function positiveInt(args: Map<string, string>, name: string, fallback: number): number {
  const n = Number(args.get(name) ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const args = parseArgs(process.argv.slice(2));
const opts = {
  days: positiveInt(args, "days", 7),
  eventsPerDay: positiveInt(args, "events-per-day", 2000),
  seed: positiveInt(args, "seed", 42),
  endDate: args.get("end-date"),
};
const out = args.get("out");
const dryRun = args.get("dry-run") === "true";
const sql = dryRun || out ? null : postgres(LOCAL_DB_URL, { onnotice: () => {} });
const file = out ? createWriteStream(out) : null;
let total = 0;
try {
  for (const { day, events } of generateDays(opts)) {
    if (sql) await copyEvents(sql, events);
    if (file) for (const e of events) file.write(JSON.stringify(e) + "\n");
    total += events.length;
    process.stderr.write(`[generate] ${day}: ${events.length.toLocaleString("en-US")} events (total ${total.toLocaleString("en-US")})\n`);
  }
  const where = sql ? "loaded into public.events_raw" : out ? `written to ${out}` : "generated (dry run)";
  console.log(`${total} events ${where} (days=${opts.days}, events-per-day=${opts.eventsPerDay}, seed=${opts.seed})`);
} finally {
  await sql?.end();
  file?.end();
}
