// Argument parsing for the ops CLI: its options, and the dates they carry.
import { parseCli, UsageError } from "../../lib/cli.ts";

/** `<command> [positional...] [options]`: every command's options, parsed once. */
export function parseOpsArgs(args: string[]) {
  const { values, positionals } = parseCli({
    args,
    allowPositionals: true,
    options: {
      date: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      ensure: { type: "boolean" },
      months: { type: "string" },
      "run-at": { type: "string" },
      grace: { type: "string" },
      "stale-after": { type: "string" },
      for: { type: "string" },
      reason: { type: "string" },
      clear: { type: "boolean" },
      "raw-days": { type: "string" },
      help: { type: "boolean" },
    },
  });
  const [command, ...positional] = positionals;
  return { command, positional, flags: values };
}

export type OpsFlags = ReturnType<typeof parseOpsArgs>["flags"];

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A YYYY-MM-DD that exists in the calendar. */
export function parseDate(value: string | undefined, flag: string): string {
  if (!value || !DATE_RE.test(value)) throw new UsageError(`--${flag} must be a date YYYY-MM-DD`);
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) throw new UsageError(`--${flag} ${value} is not a real date`);
  return value;
}

/** Every day from `from` to `to` inclusive, in order. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

const DURATION_RE = /^(\d+)\s*(m|min|h|d)$/;
const MINUTES_PER = { m: 1, min: 1, h: 60, d: 1440 } as const;

/** "90m", "2h", "1d" as a Postgres interval ("90 minutes"). */
export function parseDuration(value: string | undefined, flag: string): string {
  const m = value === undefined ? null : DURATION_RE.exec(value.trim());
  if (!m) throw new UsageError(`--${flag} must be a duration such as 90m, 2h or 1d`);
  return `${Number(m[1]) * MINUTES_PER[m[2] as keyof typeof MINUTES_PER]} minutes`;
}

/** A time of day HH:MM (24-hour clock). */
export function parseTimeOfDay(value: string | undefined, flag: string): string {
  if (!value || !/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) throw new UsageError(`--${flag} must be a time of day HH:MM`);
  return value;
}

/** A whole number of days within [min, max]. */
export function parseDays(value: string | undefined, flag: string, min: number, max: number): number {
  const n = value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${flag} must be a number of days from ${min} to ${max}`);
  return n;
}
