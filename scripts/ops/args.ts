// Argument parsing for the ops CLI: `<command> [positional...] [--flag value | --switch]`.
export class UsageError extends Error {}

export type Args = { command?: string; positional: string[]; flags: Map<string, string> };

export function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) flags.set(a.slice(2), "true");
      else flags.set(a.slice(2), argv[++i]);
    } else positional.push(a);
  }
  return { command: positional.shift(), positional, flags };
}

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
