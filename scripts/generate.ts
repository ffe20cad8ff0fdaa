// `npm run generate -- --days N --events-per-day M --seed S [--end-date YYYY-MM-DD] [--dry-run | --out file.jsonl]`
// Generates synthetic events (lib/generator) and loads them into the local stack with COPY,
// or writes them as JSON lines (--out), or only counts them (--dry-run).
import { createWriteStream } from "node:fs";
import postgres from "postgres";
import { LOCAL_DB_URL } from "../stack/local-settings.ts";
import { parseCli, positiveInt, runCli } from "../lib/cli.ts";
import { copyEvents, generateDays } from "../lib/generator/index.ts";

runCli("generate", async () => {
  const { values } = parseCli({
    args: process.argv.slice(2),
    options: {
      days: { type: "string" },
      "events-per-day": { type: "string" },
      seed: { type: "string" },
      "end-date": { type: "string" },
      "dry-run": { type: "boolean" },
      out: { type: "string" },
    },
  });
  const opts = {
    days: positiveInt(values.days, "days", 7),
    eventsPerDay: positiveInt(values["events-per-day"], "events-per-day", 2000),
    seed: positiveInt(values.seed, "seed", 42),
    endDate: values["end-date"],
  };
  const out = values.out;
  const dryRun = values["dry-run"] === true;
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
    // Flushed before runCli exits the process.
    if (file) await new Promise<void>((resolve) => file.end(resolve));
  }
});
