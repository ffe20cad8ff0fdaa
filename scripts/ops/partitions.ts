// `ops partitions --ensure [--months N]`: this month's events_raw partition and the next N.
import type { OpsSql } from "./db.ts";
import type { OpsFlags } from "./args.ts";
import { UsageError } from "../../lib/cli.ts";

export async function ensurePartitions(sql: OpsSql, flags: OpsFlags): Promise<number> {
  if (!flags.ensure) throw new UsageError("partitions needs --ensure");
  const months = Number(flags.months ?? 2);
  if (!Number.isInteger(months) || months < 0 || months > 24) throw new UsageError("--months must be an integer 0..24");
  const rows = await sql<{ name: string }[]>`
    select analytics.create_events_partition((date_trunc('month', now() at time zone 'utc') + make_interval(months => m))::date) as name
    from generate_series(0, ${months}::int) as m`;
  for (const r of rows) console.log(`partition ${r.name} ready`);
  return 0;
}
