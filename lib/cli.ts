// Command-line parsing for the project's CLIs (`npm run generate`, `npm run ops`, `npm run bench`):
// node:util parseArgs, strict, so an unknown option, a missing value or a stray argument is a
// usage error rather than something silently ignored.
import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";

export class UsageError extends Error {}

/** parseArgs in strict mode (`--name value`, `--name=value`, `--switch`); its errors become UsageErrors. */
export function parseCli<const T extends Omit<ParseArgsConfig, "strict">>(config: T) {
  try {
    return parseArgs({ ...config, strict: true as const });
  } catch (err) {
    if (String((err as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_")) throw new UsageError((err as Error).message);
    throw err;
  }
}

/** The value of `--flag` as an integer ≥ 1, or `fallback` when the option is absent. */
export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer`);
  return n;
}

/**
 * Runs a CLI's body and exits with the code it returns (0 when it returns nothing). A UsageError
 * prints `<name>: <message>` (then `usage`, when given) and exits 2; any other error prints its
 * message and exits 1. No stack traces.
 */
export function runCli(name: string, main: () => Promise<number | void>, usage?: string): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (err: unknown) => {
      console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      if (err instanceof UsageError && usage) console.error(`\n${usage}`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
