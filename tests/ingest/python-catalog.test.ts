// The Python emitter's catalog module is generated from the one event catalog: the committed file
// must be what the generator makes of the database's catalog now (regenerate with
// `npm run generate:python-catalog` after a catalog migration).
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { loadCatalogRows, renderPythonCatalog } from "../../scripts/python-catalog.ts";
import { connect } from "../helpers/db.ts";

const sql = connect();
afterAll(() => sql.end());

describe("Python emitter catalog", () => {
  it("is the database's event catalog (no drift)", async () => {
    const committed = readFileSync(new URL("../../client/python/samia_analytics/catalog.py", import.meta.url), "utf8");
    expect(committed).toBe(renderPythonCatalog(await loadCatalogRows(sql)));
  });

  it("changes when the database's catalog does", async () => {
    const rows = await loadCatalogRows(sql);
    const changed = rows.map((r) => (r.event_type === "order_created" ? { ...r, required_fields: [...r.required_fields, "country_code"] } : r));
    const python = renderPythonCatalog(changed);
    expect(python).not.toBe(renderPythonCatalog(rows));
    expect(python).toContain('required=("entity_id", "user_id", "service_code", "country_code")');
  });
});
