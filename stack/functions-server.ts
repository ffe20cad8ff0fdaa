// Local stand-in for `supabase functions serve`: one Deno server on STACK_FUNCTIONS_PORT that routes
// /functions/v1/<name>/... to supabase/functions/<name>/handler.ts. Each function's index.ts
// (Deno.serve(handler)) stays what `supabase functions deploy` ships. Requests are passed on
// unchanged; handlers read their path with routePath (_shared/http.ts), which gives /<name>/...
// here as on hosted Supabase.
const functionsDir = new URL("../supabase/functions/", import.meta.url);
// The port comes from whoever starts it (stack/functions-up.sh, from stack/local.env); 0 asks for a
// free one, and the "listening" line says which (tests/auth/hosted-env.test.ts reads it).
const port = Number(Deno.env.get("STACK_FUNCTIONS_PORT"));
if (!Number.isInteger(port) || port < 0) throw new Error("STACK_FUNCTIONS_PORT must be set to a port number");
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

Deno.serve({ hostname: "127.0.0.1", port, reusePort, onListen: (addr) => console.log(`functions: ${[...handlers.keys()].join(", ")} listening on :${addr.port}`) }, (req) => {
  const url = new URL(req.url);
  // pid: which process served the connection (the benchmark spreads its connections evenly with it).
  if (url.pathname === "/_health") return Response.json({ ok: true, functions: [...handlers.keys()], pid: Deno.pid });
  const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (!match) return notFound("no such route");
  const handler = handlers.get(match[1]);
  if (!handler) return notFound(`no function named '${match[1]}'`);
  // Passed on as it came (the handlers read their path with routePath): wrapping it in a new
  // Request would stream its body through JavaScript, at a cost in CPU per ingest batch.
  return handler(req);
});
