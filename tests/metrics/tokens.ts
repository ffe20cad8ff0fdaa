// Tokens for every caller kind the metrics API distinguishes.
import { mintRoleToken, mintUserToken } from "../../stack/keys.ts";
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from "../../stack/local-settings.ts";
import { READER_1, READER_2 } from "./fixtures.ts";

export type Who = "anon" | "client" | "reader" | "monitor" | "admin" | "superadmin" | "service";

export async function tokens(): Promise<Record<Who, string> & { reader2: string; userMetadataAdmin: string; noRole: string }> {
  return {
    anon: LOCAL_ANON_KEY,
    client: await mintRoleToken("client"),
    reader: await mintUserToken({ sub: READER_1, appRole: "reader" }),
    reader2: await mintUserToken({ sub: READER_2, appRole: "reader" }),
    monitor: await mintRoleToken("monitor"),
    admin: await mintRoleToken("admin"),
    superadmin: await mintRoleToken("superadmin"),
    service: LOCAL_SERVICE_ROLE_KEY,
    // Edits to user_metadata must not grant anything.
    userMetadataAdmin: await mintUserToken({ appRole: "client", userMetadata: { role: "admin" } }),
    noRole: await mintUserToken({ appRole: null, userMetadata: { role: "superadmin" } }),
  };
}
