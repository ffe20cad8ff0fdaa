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
