// The BI side of the tests: the documented example queries (read from docs/bi-queries, so docs and
// tests cannot drift) and a connection that logs in as bi_reader the way a BI tool does.
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { LOCAL_DB_URL } from "../../stack/local-settings.ts";
import { NUMBER_TYPES } from "../../supabase/functions/_shared/db.ts";

export type BiQuery = "revenue_by_currency_daily" | "payment_success_rate_weekly";

export function biQuery(name: BiQuery): string {
  return readFileSync(new URL(`../../docs/bi-queries/${name}.sql`, import.meta.url), "utf8");
}

/** A TCP login as bi_reader with `password`. prepare: false, as docs/bi.md asks of clients behind
 * Supavisor's transaction mode. Dates stay YYYY-MM-DD strings, counts and money are numbers. */
export function connectAsBiReader(password: string) {
  const url = new URL(LOCAL_DB_URL);
  url.username = "bi_reader";
  url.password = password;
  return postgres(url.toString(), {
    max: 2,
    prepare: false,
    onnotice: () => {},
    types: { ...NUMBER_TYPES, date: { to: 1082, from: [1082], serialize: (x: string) => x, parse: (x: string) => x } },
  });
}
