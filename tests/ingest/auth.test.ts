// Who may call ingest and what they may send: JWT negatives (401), secret keys, asymmetric
// (ES256/JWKS) tokens, and the client-token restrictions (403, nothing written).
import { randomUUID } from "node:crypto";
import { exportSPKI, importJWK, SignJWT, UnsecuredJWT, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { mintUserToken } from "../../stack/keys.ts";
import { LOCAL_ANON_KEY, LOCAL_ES256_PRIVATE_JWK, LOCAL_JWKS, LOCAL_JWT_SECRET, LOCAL_PUBLISHABLE_KEY, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { countRows, ingestTestContext, postIngest, sampleEvent } from "./events.ts";

const { sql, REQ, USER } = ingestTestContext("auth");
const OTHER = randomUUID();

const publicJwk = LOCAL_JWKS.keys[0];

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const opened = (userId = USER) => sampleEvent("notification_opened", REQ, userId);
const now = () => Math.floor(Date.now() / 1000);
const userClaims = (sub = USER) => ({ role: "authenticated", aud: "authenticated", sub, app_metadata: { role: "client" } });

async function es256Token(claims: Record<string, unknown>, key: CryptoKey | Uint8Array, kid = "local-es256-1") {
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid }).setIssuedAt().setExpirationTime("1h").sign(key);
}

describe("ingest authentication (401, nothing written)", () => {
  const cases: [string, () => Promise<Record<string, string>>][] = [
    ["missing Authorization", async () => ({})],
    ["not a Bearer header", async () => ({ authorization: `Basic ${Buffer.from("a:b").toString("base64")}` })],
    ["malformed token", async () => bearer("not.a.jwt")],
    ["garbage token", async () => bearer("abc")],
    ["alg none", async () => bearer(new UnsecuredJWT(userClaims()).setExpirationTime("1h").encode())],
    ["wrong HS256 secret", async () => bearer(await mintUserToken({ sub: USER, secret: "another-secret-that-is-at-least-32-characters" }))],
    ["expired", async () => bearer(await mintUserToken({ sub: USER, expiresInS: -600 }))],
    ["nbf in the future", async () => bearer(await mintUserToken({ sub: USER, claims: { nbf: now() + 3600 } }))],
    ["wrong aud", async () => bearer(await mintUserToken({ sub: USER, claims: { aud: "some-other-app" } }))],
    ["sub not a uuid", async () => bearer(await mintUserToken({ sub: "user-1" }))],
    ["anon key", async () => bearer(LOCAL_ANON_KEY)],
    ["anon key in apikey header only", async () => ({ apikey: LOCAL_ANON_KEY })],
    ["publishable key", async () => bearer(LOCAL_PUBLISHABLE_KEY)],
    ["wrong sb_secret key", async () => bearer(`${LOCAL_SECRET_KEY.slice(0, -1)}${LOCAL_SECRET_KEY.endsWith("X") ? "Y" : "X"}`)],
    ["HS256 user token without exp", async () => bearer(await mintUserToken({ sub: USER, expiresInS: null }))],
    ["ES256 user token without exp", async () => bearer(await mintUserToken({ sub: USER, alg: "ES256", expiresInS: null }))],
    ["service_role claim without exp", async () =>
      bearer(await new SignJWT({ role: "service_role" }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(LOCAL_JWT_SECRET)))],
    ["HS256 forged with the JWKS public key (JWK JSON as secret)", async () =>
      bearer(await new SignJWT(userClaims()).setProtectedHeader({ alg: "HS256", kid: "local-es256-1" }).setExpirationTime("1h")
        .sign(new TextEncoder().encode(JSON.stringify(publicJwk))))],
    ["HS256 forged with the JWKS public key (PEM as secret)", async () => {
      const pem = await exportSPKI((await importJWK(publicJwk, "ES256", { extractable: true })) as CryptoKey);
      return bearer(await new SignJWT(userClaims()).setProtectedHeader({ alg: "HS256", kid: "local-es256-1" }).setExpirationTime("1h")
        .sign(new TextEncoder().encode(pem)));
    }],
    ["ES256 signed by a key outside the JWKS", async () => {
      const { privateKey } = await generateKeyPair("ES256");
      return bearer(await es256Token(userClaims(), privateKey));
    }],
    ["service_role claim signed with the wrong secret", async () =>
      bearer(await new SignJWT({ role: "service_role" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h")
        .sign(new TextEncoder().encode("wrong-secret-wrong-secret-wrong-secret!")))],
  ];

  it.each(cases)("rejects %s", async (_name, headers) => {
    const res = await postIngest({ events: [opened()] }, await headers());
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
    expect(await countRows(sql, REQ)).toBe(0);
  });
});

describe("ingest accepted credentials", () => {
  it("accepts a user token signed with the project's HS256 secret", async () => {
    const res = await postIngest({ events: [opened()] }, bearer(await mintUserToken({ sub: USER, secret: LOCAL_JWT_SECRET })));
    expect(res.body).toEqual({ accepted: 1, duplicates: 0 });
  });

  it("accepts an ES256 user token signed with a key of the project's JWKS", async () => {
    const key = await importJWK(LOCAL_ES256_PRIVATE_JWK, "ES256");
    const res = await postIngest({ events: [opened()] }, bearer(await es256Token(userClaims(), key)));
    expect(res.body).toEqual({ accepted: 1, duplicates: 0 });
  });

  it("accepts the sb_secret key in the apikey header alone", async () => {
    const res = await postIngest({ events: [sampleEvent("order_created", REQ, OTHER)] }, { apikey: LOCAL_SECRET_KEY });
    expect(res.body).toEqual({ accepted: 1, duplicates: 0 });
  });
});

describe("ingest client-token restrictions", () => {
  const clientToken = (appRole = "client", sub = USER) => mintUserToken({ sub, appRole });

  it.each(["notification_opened", "notification_opted_out", "horoscope_listened", "content_flagged", "appeal_submitted"])(
    "lets a user send its own %s", async (type) => {
      const e = sampleEvent(type, REQ, USER);
      const res = await postIngest({ events: [e] }, bearer(await clientToken()));
      expect(res.body).toEqual({ accepted: 1, duplicates: 0 });
      const [row] = await sql`select user_id from public.events_raw where event_id = ${e.event_id as string}`;
      expect(row.user_id).toBe(USER);
    });

  it("fills in the token's own user id when the event has none", async () => {
    const e = opened();
    delete e.user_id;
    const res = await postIngest({ events: [e] }, bearer(await clientToken()));
    expect(res.status).toBe(200);
    const [row] = await sql`select user_id from public.events_raw where event_id = ${e.event_id as string}`;
    expect(row.user_id).toBe(USER);
  });

  const forbidden: [string, string, () => Record<string, unknown>[], [number, string][]][] = [
    ["another user's id", "client", () => [opened(OTHER)], [[0, "user_id"]]],
    ["a server-only type", "client", () => [sampleEvent("payment_succeeded", REQ, USER)], [[0, "event_type"]]],
    ["a server-only type, even as admin", "admin", () => [sampleEvent("order_created", REQ, USER)], [[0, "event_type"]]],
    ["a server-only type for another user, as superadmin", "superadmin", () => [sampleEvent("call_started", REQ, OTHER)], [[0, "event_type"], [0, "user_id"]]],
    ["one bad event among good ones", "client", () => [opened(), opened(OTHER), opened()], [[1, "user_id"]]],
  ];

  it.each(forbidden)("refuses %s with 403 and writes nothing", async (_name, appRole, events, expected) => {
    const before = await countRows(sql, REQ);
    const res = await postIngest({ events: events() }, bearer(await clientToken(appRole)));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(res.body.error.message).toMatch(/nothing was written/);
    expect(res.body.error.details.map((d: { index: number; path: string }) => [d.index, d.path])).toEqual(expected);
    expect(await countRows(sql, REQ)).toBe(before);
  });

  it("takes the application role from app_metadata only (user_metadata.role is ignored)", async () => {
    const token = await mintUserToken({ sub: USER, appRole: "client", userMetadata: { role: "service_role" }, claims: { user_role: "admin" } });
    const res = await postIngest({ events: [sampleEvent("order_created", REQ, USER)] }, bearer(token));
    expect(res.status).toBe(403);
  });
});
