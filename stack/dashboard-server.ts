// Local static server for the built dashboard (dashboard/dist) on STACK_DASHBOARD_URL. It also
// answers /config.json with the local stack's URL, anon key and fresh demo tokens per role:
// local development only — a deployed dashboard gets a config.json without tokens.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_ROLES, mintRoleToken } from "./keys.ts";
import { LOCAL_ANON_KEY, LOCAL_DASHBOARD_PORT, LOCAL_SUPABASE_URL } from "./local-settings.ts";

const port = LOCAL_DASHBOARD_PORT;
const root = fileURLToPath(new URL("../dashboard/dist/", import.meta.url));
const DEMO_TOKEN_TTL_S = 24 * 3600;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

async function localConfig(): Promise<string> {
  const demoTokens: Record<string, string> = {};
  for (const role of DEMO_ROLES) demoTokens[role] = await mintRoleToken(role, DEMO_TOKEN_TTL_S);
  return JSON.stringify({ supabaseUrl: LOCAL_SUPABASE_URL, anonKey: LOCAL_ANON_KEY, demoTokens });
}

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  if (path === "/_health") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  }
  if (path === "/config.json") {
    res.writeHead(200, { "content-type": TYPES[".json"]!, "cache-control": "no-store" }).end(await localConfig());
    return;
  }
  const file = normalize(join(root, path === "/" ? "index.html" : path));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error("not a file");
    const immutable = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": info.size,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  } catch {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
  }
});

server.listen(port, "127.0.0.1", () => console.log(`dashboard: http://127.0.0.1:${port}/ (serving ${root})`));
