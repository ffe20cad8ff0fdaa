// Reads configuration from Deno.env in edge functions and from process.env under Node (vitest),
// so shared modules load unchanged in both runtimes. Nothing here has a default: a setting the
// environment does not give is missing, and whoever needs it fails closed (docs/design.md §12).
type EnvSource = { get(name: string): string | undefined };

const denoEnv: EnvSource | undefined = (globalThis as { Deno?: { env: EnvSource } }).Deno?.env;
const nodeEnv: Record<string, string | undefined> | undefined =
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;

export function env(name: string): string | undefined {
  const value = denoEnv ? denoEnv.get(name) : nodeEnv?.[name];
  return value === undefined || value === "" ? undefined : value;
}
