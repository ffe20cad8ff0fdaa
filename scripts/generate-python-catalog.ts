// `npm run generate:python-catalog`: writes client/python/samia_analytics/catalog.py from the local
// stack's event catalog (run after a migration that changes public.event_schema_versions).
import { writeFileSync } from "node:fs";
import postgres from "postgres";
import { LOCAL_DB_URL } from "../stack/local-settings.ts";
import { loadCatalogRows, renderPythonCatalog } from "./python-catalog.ts";

export const PYTHON_CATALOG_FILE = new URL("../client/python/samia_analytics/catalog.py", import.meta.url);

const sql = postgres(LOCAL_DB_URL, { max: 1, onnotice: () => {} });
try {
  const rows = await loadCatalogRows(sql);
  writeFileSync(PYTHON_CATALOG_FILE, renderPythonCatalog(rows));
  console.log(`wrote ${PYTHON_CATALOG_FILE.pathname} (${rows.length} event types)`);
} finally {
  await sql.end();
}
