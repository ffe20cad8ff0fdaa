// Shared pieces of the benchmark: the result row, timing, percentiles, and the table printer.
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

export type BenchOptions = { events: number; args: Map<string, string> };

export type BenchSuite = { name: string; run(opts: BenchOptions): Promise<BenchRow[]> };

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t0) / 1000, value };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** The middle value (the upper middle one for an even count); NaN for none. */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
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
