// The functions as a hosted project runs them: started with only the environment hosted Supabase
// gives every function (SUPABASE_URL, SUPABASE_DB_URL, SUPABASE_JWKS, SUPABASE_SECRET_KEYS,
// SUPABASE_PUBLISHABLE_KEYS, the legacy anon/service_role keys; no HS256 secret), the public local
// credentials open nothing (401 everywhere), while the project's own keys work. Started without
// SUPABASE_DB_URL, they answer a JSON 503 and stay up (docs/design.md §12).
import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintRoleToken, mintUserToken } from "../../stack/keys.ts";
import { LOCAL_DB_URL, LOCAL_JWKS, LOCAL_JWT_SECRET, LOCAL_SECRET_KEY, LOCAL_SERVICE_ROLE_KEY } from "../../stack/local-settings.ts";
import { startFunctions, type FunctionsProcess } from "../helpers/functions-process.ts";
import { countRows, ingestTestContext, sampleEvent } from "../ingest/events.ts";

const { sql, REQ, USER } = ingestTestContext("hosted-env");

// The hosted project's own credentials: random, and its legacy JWT secret is never given to the functions.
const secretKey = `sb_secret_${randomBytes(24).toString("base64url")}`;
const publishableKey = `sb_publishable_${randomBytes(24).toString("base64url")}`;
const legacySecret = new TextEncoder().encode(randomBytes(32).toString("hex"));
const legacyKey = (role: string) =>
  new SignJWT({ iss: "supabase", ref: "hosted-test", role }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime("10y").sign(legacySecret);
const legacyAnonKey = await legacyKey("anon");
const legacyServiceRoleKey = await legacyKey("service_role");

function hostedEnv(jwks: unknown): Record<string, string> {
  return {
    SUPABASE_URL: "https://hosted-test.invalid",
    SUPABASE_DB_URL: LOCAL_DB_URL,
    SUPABASE_JWKS: JSON.stringify(jwks),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: secretKey }),
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: publishableKey }),
    SUPABASE_ANON_KEY: legacyAnonKey,
    SUPABASE_SERVICE_ROLE_KEY: legacyServiceRoleKey,
  };
}

const D = "2011-06-15";
const METRICS = [
  `fulfillment?start_date=${D}&end_date=${D}`,
  `payments?start_date=${D}&end_date=${D}`,
  `calls?start_date=${D}&end_date=${D}`,
  `engagement?start_date=${D}&end_date=${D}`,
  `content?start_date=${D}&end_date=${D}`,
  `cohort-retention?cohort_start=${D}&cohort_end=${D}`,
  `overview?date=${D}`,
].map((path) => `metrics/${path}`);
const EXPORT = `privacy/export?user_id=${randomUUID()}`;
/** Every endpoint that reads, for callers that are allowed all of them (admins and backends). */
const READS = [...METRICS, EXPORT, "health"];

async function call(fns: FunctionsProcess, path: string, token: string, body?: unknown) {
  const res = await fetch(`${fns.url}/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the assertions below say so
  }
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: json };
}

const ingest = (fns: FunctionsProcess, token: string, userId = USER) =>
  call(fns, "ingest", token, { events: [sampleEvent("notification_opened", REQ, userId)] });

describe("functions with hosted Supabase's environment", () => {
  let fns: FunctionsProcess;
  beforeAll(async () => {
    fns = await startFunctions(hostedEnv(LOCAL_JWKS));
  });
  afterAll(() => fns?.stop());

  const publicLocalCredentials: [string, () => Promise<string>][] = [
    ['{"role":"service_role"} signed with the public local secret', () =>
      new SignJWT({ role: "service_role" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(new TextEncoder().encode(LOCAL_JWT_SECRET))],
    ["an admin user token signed with the public local secret", () => mintRoleToken("admin")],
    ["a superadmin user token signed with the public local secret", () => mintRoleToken("superadmin")],
    ["the local stack's service_role key", async () => LOCAL_SERVICE_ROLE_KEY],
    ["the local stack's sb_secret key", async () => LOCAL_SECRET_KEY],
  ];

  describe.each(publicLocalCredentials)("%s", (_name, token) => {
    it("gets 401 from ingest and writes nothing", async () => {
      const before = await countRows(sql, REQ);
      const res = await ingest(fns, await token());
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthorized");
      expect(await countRows(sql, REQ)).toBe(before);
    });

    it.each(READS)("gets 401 from %s", async (path) => {
      const res = await call(fns, path, await token());
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthorized");
    });
  });

  it("rejects a client token signed with the public local secret (401)", async () => {
    expect((await ingest(fns, await mintUserToken({ sub: USER }))).status).toBe(401);
  });

  it("rejects the legacy anon key and an ES256 token without exp (401)", async () => {
    expect((await call(fns, "health", legacyAnonKey)).status).toBe(401);
    const noExp = await call(fns, "health", await mintUserToken({ sub: USER, appRole: "admin", alg: "ES256", expiresInS: null }));
    expect(noExp.status).toBe(401);
    expect(noExp.body.error.message).toMatch(/exp/);
  });

  it("accepts a user token signed by a key of SUPABASE_JWKS (ES256)", async () => {
    const before = await countRows(sql, REQ);
    const res = await ingest(fns, await mintUserToken({ sub: USER, alg: "ES256" }));
    expect(res.body).toEqual({ accepted: 1, duplicates: 0 });
    expect(await countRows(sql, REQ)).toBe(before + 1);
  });

  it.each(READS)("lets an ES256 admin token read %s", async (path) => {
    const res = await call(fns, path, await mintUserToken({ sub: USER, appRole: "admin", alg: "ES256" }));
    // health may report the pipeline unhealthy (503 with its report): what matters is that the caller got in.
    expect(path === "health" ? [200, 503] : [200]).toContain(res.status);
    expect(res.body.error).toBeUndefined();
  });

  it.each([
    ["the sb_secret key of SUPABASE_SECRET_KEYS", async () => secretKey],
    ["the legacy service_role key of SUPABASE_SERVICE_ROLE_KEY", async () => legacyServiceRoleKey],
  ])("accepts %s as a backend", async (_name, token) => {
    const res = await call(fns, "ingest", await token(), { events: [sampleEvent("order_created", REQ, randomUUID())] });
    expect(res.body).toEqual({ accepted: 1, duplicates: 0 });
    expect((await call(fns, EXPORT, await token())).status).toBe(200);
  });
});

describe("functions without SUPABASE_DB_URL", () => {
  let fns: FunctionsProcess;
  beforeAll(async () => {
    // SUPABASE_JWKS as a bare array of keys this time: a form Supabase's tooling also accepts.
    const { SUPABASE_DB_URL: _, ...env } = hostedEnv(LOCAL_JWKS.keys);
    fns = await startFunctions(env);
  });
  afterAll(() => fns?.stop());

  it.each(["ingest", ...READS])("answer %s with a JSON 503 and stay up", async (path) => {
    const token = await mintUserToken({ sub: USER, appRole: "admin", alg: "ES256" });
    const res = path === "ingest" ? await call(fns, path, secretKey, { events: [sampleEvent("order_created", REQ, randomUUID())] }) : await call(fns, path, token);
    expect(res.status).toBe(503);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(res.body.error).toMatchObject({ code: "service_unavailable", message: expect.stringMatching(/SUPABASE_DB_URL/) });
    expect(fns.alive()).toBe(true);
  });

  it("still authenticates first (401 for the public local secret, not 503)", async () => {
    expect((await call(fns, "health", await mintRoleToken("admin"))).status).toBe(401);
  });
});
