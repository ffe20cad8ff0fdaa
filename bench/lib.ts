// Shared pieces of the benchmark: the result row, timing, and the table printer.
import type { ParseArgsOptionsConfig } from "node:util";
import { positiveInt } from "../lib/cli.ts";

export type BenchRow = {
  suite: string;
  case: string;
  /** Work done: events, requests, ... */
  n: number;
  unit: string;
  seconds: number;
  /** Optional extra figures (p50/p95 ms, ...), printed as they are. */
  extra?: string;
  /** Case name (same suite) whose throughput or time this row is compared to. */
  baseline?: string;
};

/** `--events N` and the values of the suite's own options (strings, or true for a switch). */
export type BenchOptions = { events: number; args: Record<string, string | boolean | undefined> };

export type BenchSuite = {
  name: string;
  /** The suite's command-line options (node:util parseArgs), e.g. `{ requests: { type: "string" } }`. */
  options?: ParseArgsOptionsConfig;
  /** A long suite left out of the default run: it runs when named by `--only`, or alone with its switch `--<name>`. */
  optIn?: boolean;
  run(opts: BenchOptions): Promise<BenchRow[]>;
};

/** A suite's integer option `--name N` (at least 1), or `fallback` when it is not given. */
export function intArg(opts: BenchOptions, name: string, fallback: number): number {
  const value = opts.args[name];
  return positiveInt(typeof value === "string" ? value : undefined, name, fallback);
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t0) / 1000, value };
}

/**
 * A target's verdict for a row's text, as issue 18 states the target: "target <= 6x: met". The
 * value is the row's median (of ratios taken within a round, where the row has rounds).
 */
export function verdict(value: number, op: "<=" | ">=" | "<", limit: number, unit = ""): string {
  const met = op === "<=" ? value <= limit : op === ">=" ? value >= limit : value < limit;
  return `target ${op} ${limit}${unit}: ${met ? "met" : "MISSED"}`;
}

export function progress(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return "-";
  if (x >= 100) return Math.round(x).toLocaleString("en-US");
  return x.toPrecision(3);
}

/** Prints rows as a table: throughput (n/s), time, and the ratio to the row's baseline. */
export function printTable(rows: BenchRow[]) {
  const header = ["suite", "case", "n", "unit", "seconds", "per second", "vs baseline", "extra"];
  const lines = rows.map((r) => {
    const base = r.baseline ? rows.find((b) => b.suite === r.suite && b.case === r.baseline) : undefined;
    let ratio = "";
    if (base) {
      ratio = r.unit === base.unit && r.n > 0 && base.n > 0
        ? `${((r.n / r.seconds) / (base.n / base.seconds) * 100).toFixed(1)}% of ${base.case} rate`
        : `${(r.seconds / base.seconds).toFixed(2)}x ${base.case} time`;
    }
    return [r.suite, r.case, r.n.toLocaleString("en-US"), r.unit, r.seconds.toFixed(3), fmt(r.n / r.seconds), ratio, r.extra ?? ""];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(row(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const l of lines) console.log(row(l));
}
