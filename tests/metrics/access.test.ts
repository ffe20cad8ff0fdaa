// Which caller may use which metrics endpoint (docs/design.md §3, §9): 401 for the anon key alone,
// a clear 403 for roles that may not use an endpoint, 200 otherwise. Rows are checked elsewhere.
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { getMetrics } from "./client.ts";
import { D1, D2 } from "./fixtures.ts";
import { useSeededMetrics, type Tokens } from "./suite.ts";
import type { Who } from "./tokens.ts";

const ctx = useSeededMetrics();
let t: Tokens;
beforeAll(() => {
  t = ctx.t;
});

const PATHS: Record<string, string> = {
  fulfillment: `fulfillment?start_date=${D1}&end_date=${D2}`,
  payments: `payments?start_date=${D1}&end_date=${D2}`,
  calls: `calls?start_date=${D1}&end_date=${D2}`,
  engagement: `engagement?start_date=${D1}&end_date=${D2}`,
  content: `content?start_date=${D1}&end_date=${D2}`,
  "cohort-retention": `cohort-retention?cohort_start=${D1}&cohort_end=${D2}`,
  overview: `overview?date=${D2}`,
};

// Expected status per endpoint and caller.
const ALLOWED: Record<Who, string[]> = {
  anon: [],
  client: [],
  reader: ["fulfillment", "overview"],
  monitor: ["calls", "content", "overview"],
  admin: Object.keys(PATHS),
  superadmin: Object.keys(PATHS),
  service: Object.keys(PATHS),
};

describe("endpoint access by caller", () => {
  for (const who of Object.keys(ALLOWED) as Who[]) {
    for (const endpoint of Object.keys(PATHS)) {
      const expected = who === "anon" ? 401 : ALLOWED[who].includes(endpoint) ? 200 : 403;
      it(`${who} → ${endpoint}: ${expected}`, async () => {
        const res = await getMetrics(t[who], PATHS[endpoint]);
        expect(res.status).toBe(expected);
        if (expected === 401) expect(res.body.error.code).toBe("unauthorized");
        if (expected === 403) {
          expect(res.body.error.code).toBe("forbidden");
          expect(res.body.error.message).toContain(endpoint);
        }
        if (expected === 200) expect(Array.isArray(res.body.data) || typeof res.body.data === "object").toBe(true);
      });
    }
  }

  it("a user whose user_metadata.role says admin (app role client) gets 403 everywhere", async () => {
    for (const path of Object.values(PATHS)) expect((await getMetrics(t.userMetadataAdmin, path)).status).toBe(403);
  });

  it("a user without an application role gets 403 everywhere", async () => {
    for (const path of Object.values(PATHS)) expect((await getMetrics(t.noRole, path)).status).toBe(403);
  });

  it("the internal _ping route answers admins and backends only", async () => {
    expect((await getMetrics(t.admin, "_ping")).body.data).toEqual([{ ok: 1 }]);
    expect((await getMetrics(t.service, "_ping")).status).toBe(200);
    expect((await getMetrics(t.monitor, "_ping")).status).toBe(403);
    expect((await getMetrics(t.anon, "_ping")).status).toBe(401);
  });

  it("a backend's sb_secret key reads everything, like the service_role JWT", async () => {
    const res = await getMetrics(LOCAL_SECRET_KEY, PATHS.payments);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual((await getMetrics(t.service, PATHS.payments)).body.data);
    expect(res.body.data.length).toBe(6);
  });

  it("authentication comes before parameter validation: bad params with the anon key are a 401", async () => {
    expect((await getMetrics(t.anon, "payments?start_date=nope")).status).toBe(401);
  });
});
