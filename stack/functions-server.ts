// Local stand-in for `supabase functions serve`: one Deno server on :54321 that routes
// /functions/v1/<name>/... to supabase/functions/<name>/handler.ts. Each function's index.ts
// (Deno.serve(handler)) stays what `supabase functions deploy` ships. Requests are passed on
// unchanged; handlers read their path with routePath (_shared/http.ts), which gives /<name>/...
// here as on hosted Supabase.
const functionsDir = new URL("../supabase/functions/", import.meta.url);
const port = Number(Deno.env.get("STACK_FUNCTIONS_PORT") ?? 54321);
// More than one process serves the port (stack/env.sh STACK_FUNCTIONS_WORKERS), as hosted Supabase
// runs a function in several isolates; the kernel spreads connections over them.
const reusePort = Number(Deno.env.get("STACK_FUNCTIONS_WORKERS") ?? 1) > 1;

type Handler = (req: Request) => Promise<Response>;
const handlers = new Map<string, Handler>();

for await (const entry of Deno.readDir(functionsDir)) {
  if (!entry.isDirectory || entry.name.startsWith("_") || entry.name.startsWith(".")) continue;
  const mod = await import(new URL(`${entry.name}/handler.ts`, functionsDir).href);
  handlers.set(entry.name, mod.handler as Handler);
}

function notFound(message: string): Response {
  return Response.json({ error: { code: "not_found", message } }, { status: 404 });
}

Deno.serve({ hostname: "127.0.0.1", port, reusePort, onListen: () => console.log(`functions: ${[...handlers.keys()].join(", ")} on :${port}`) }, (req) => {
  const url = new URL(req.url);
  // pid: which process served the connection (the benchmark spreads its connections evenly with it).
  if (url.pathname === "/_health") return Response.json({ ok: true, functions: [...handlers.keys()], pid: Deno.pid });
  const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (!match) return notFound("no such route");
  const handler = handlers.get(match[1]);
  if (!handler) return notFound(`no function named '${match[1]}'`);
  // Passed on as it came (the handlers read their path with routePath): wrapping it in a new
  // Request would stream its body through JavaScript, ~0.5 ms of CPU for a 150 KB ingest batch.
  return handler(req);
});
