// CSV output (RFC 4180, header line, nulls empty), Cache-Control, strong ETags and 304s.
import { beforeAll, describe, expect, it } from "vitest";
import { callFunction } from "../helpers/functions.ts";
import { getMetrics } from "./client.ts";
import { CALLS, D1, D2 } from "./fixtures.ts";
import { useSeededMetrics } from "./suite.ts";

const ctx = useSeededMetrics();
const sql = ctx.sql;
let admin: string;
let monitor: string;
beforeAll(() => {
  ({ admin, monitor } = ctx.t);
});

const calls = `calls?start_date=${D1}&end_date=${D2}`;
const CALLS_HEADER = "metric_date,service_code,provider,started,answered,completed,dropped,recorded,answer_rate,completion_rate,drop_rate,recording_rate,duration_avg_s,duration_p95_s,started_answered,answered_completed,answered_dropped,answered_recorded";

// Written out by hand from the fixtures: quoting of a provider with a comma and quotes, null as empty.
const CALLS_CSV = [
  CALLS_HEADER,
  "2011-06-15,healing,twilio,10,8,6,2,0,0.8,0.75,0.25,,300.5,900,8,6,2,0",
  '2011-06-15,tarot,"acme, ""voice""",11,9,7,2,1,0.8,0.75,0.25,0.1,300.5,900,9,7,2,1',
  "2011-06-15,tarot,twilio,12,10,8,2,2,0.8,0.75,0.25,0.1,300.5,900,10,8,2,2",
  "2011-06-15,,,13,11,9,2,3,0.8,0.75,0.25,0.1,300.5,900,11,9,2,3",
].join("\r\n") + "\r\n";

describe("CSV", () => {
  it("format=csv returns the same rows as CSV with a header line", async () => {
    const res = await getMetrics(monitor, `${calls}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(res.body).toBe(CALLS_CSV);
    expect(CALLS.length).toBe(4);
  });

  it("Accept: text/csv does the same; format=json wins over Accept", async () => {
    expect((await getMetrics(monitor, calls, { Accept: "text/csv" })).body).toBe(CALLS_CSV);
    const json = await getMetrics(monitor, `${calls}&format=json`, { Accept: "text/csv" });
    expect(json.body.data).toEqual(CALLS);
  });

  it("an empty range is just the header line", async () => {
    const res = await getMetrics(admin, "engagement?start_date=2011-05-01&end_date=2011-05-02&format=csv");
    expect(res.body).toBe("metric_date,dau,wau,mau,notifications_sent,notifications_delivered,notifications_opened,notifications_opted_out,notification_ctr,opt_out_rate,listens,listen_through_avg_pct,delivered_opened,users_sent,users_sent_opted_out\r\n");
  });

  it("overview stays JSON under Accept: text/csv", async () => {
    const res = await getMetrics(admin, `overview?date=${D2}`, { Accept: "text/csv" });
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.body.data.date).toBe(D2);
  });
});

describe("caching", () => {
  const auth = (token: string, extra: Record<string, string> = {}) => ({ headers: { Authorization: `Bearer ${token}`, ...extra } });

  it("answers with Cache-Control private, max-age=60 and a strong ETag, stable while rows do not change", async () => {
    const a = await callFunction(`metrics/${calls}`, auth(admin));
    const b = await callFunction(`metrics/${calls}`, auth(admin));
    expect(a.headers.get("cache-control")).toBe("private, max-age=60");
    expect(a.headers.get("etag")).toMatch(/^"[0-9a-f]{64}"$/);
    expect(b.headers.get("etag")).toBe(a.headers.get("etag"));
    const csv = await callFunction(`metrics/${calls}&format=csv`, auth(admin));
    expect(csv.headers.get("etag")).not.toBe(a.headers.get("etag"));
  });

  it("If-None-Match with the current tag is a 304 without body; any change of rows is a new 200", async () => {
    const first = await callFunction(`metrics/${calls}`, auth(admin));
    const etag = first.headers.get("etag")!;
    const again = await callFunction(`metrics/${calls}`, auth(admin, { "If-None-Match": `W/"x", ${etag}` }));
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);

    await sql`update public.metrics_daily_calls set started = started + 1 where metric_date = ${D2} and service_code is null`;
    const changed = await callFunction(`metrics/${calls}`, auth(admin, { "If-None-Match": etag }));
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    await sql`update public.metrics_daily_calls set started = started - 1 where metric_date = ${D2} and service_code is null`;
  });

  it("the same rows under other params get another tag (meta differs)", async () => {
    const a = await callFunction(`metrics/${calls}`, auth(admin));
    const b = await callFunction(`metrics/calls?start_date=${D2}&end_date=${D2}`, auth(admin));
    expect(b.headers.get("etag")).not.toBe(a.headers.get("etag"));
  });

  it("304 works through supabase-js too (as a non-2xx response)", async () => {
    const first = await getMetrics(admin, `overview?date=${D2}`);
    const second = await getMetrics(admin, `overview?date=${D2}`, { "If-None-Match": first.headers.get("etag")! });
    expect(second.status).toBe(304);
  });
});
