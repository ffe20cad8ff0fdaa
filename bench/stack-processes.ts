// The processes of this checkout's local stack, told apart from other checkouts' stacks on the same
// machine (several worktrees each run their own Postgres and Deno): CPU and memory of exactly
// these. Linux /proc only.
import { readFileSync } from "node:fs";
import type postgres from "postgres";
import { parentPid, processStats } from "./process-cpu.ts";

/** The postmaster's pid, from the first line of postmaster.pid in the cluster's data directory. */
export function postmasterPid(dataDirectory: string): number {
  return Number(readFileSync(`${dataDirectory}/postmaster.pid`, "utf8").split("\n")[0]);
}

/** The postmaster of the cluster a session is connected to: its backend's parent. */
export async function sessionPostmasterPid(sql: postgres.Sql): Promise<number> {
  const [{ pid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const parent = parentPid(pid);
  if (parent === null) throw new Error(`no /proc entry for backend ${pid}`);
  return parent;
}

/** The cluster's processes: the postmaster and its children (backends, autovacuum, walwriter, ...). */
export function clusterPids(postmaster: number): number[] {
  return [postmaster, ...(processStats() ?? []).filter((s) => s.ppid === postmaster).map((s) => s.pid)];
}

/** The function server processes serving this checkout (their command line names its functions-server.ts). */
export function functionPids(checkoutRoot: string): number[] {
  const server = `${checkoutRoot.replace(/\/$/, "")}/stack/functions-server.ts`;
  return (processStats() ?? []).filter((s) => s.comm === "deno").map((s) => s.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(server);
    } catch {
      return false;
    }
  });
}

/** CPU seconds used so far by these processes. */
export function cpuSecondsOf(pids: number[]): number {
  const wanted = new Set(pids);
  return (processStats() ?? []).filter((s) => wanted.has(s.pid)).reduce((sum, s) => sum + s.cpuSeconds, 0);
}

/** CPU seconds used so far by the cluster: its live processes, and those that ended (backends, autovacuum workers). */
export function clusterCpuSeconds(postmaster: number): number {
  const stats = processStats() ?? [];
  const main = stats.find((s) => s.pid === postmaster);
  const children = stats.filter((s) => s.ppid === postmaster).reduce((sum, s) => sum + s.cpuSeconds, 0);
  return (main ? main.cpuSeconds + main.endedChildrenCpuSeconds : 0) + children;
}

/** Memory of a set of processes, kB, from /proc/<pid>/smaps_rollup. */
export type Memory = { pss: number; pssAnon: number; pssShmem: number; rss: number };

function memoryOf(pids: number[]): Memory {
  const total: Memory = { pss: 0, pssAnon: 0, pssShmem: 0, rss: 0 };
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    } catch {
      continue; // ended, or not ours to read
    }
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
    total.pss += kb("Pss");
    total.pssAnon += kb("Pss_Anon");
    total.pssShmem += kb("Pss_Shmem");
    total.rss += kb("Rss");
  }
  return total;
}

/**
 * Samples the memory of a changing set of processes (backends come and go) every `intervalMs`
 * and keeps each phase's peak. PSS (proportional set size) counts a shared page once in all, split
 * among the processes that map it, so the sum over a cluster is what the cluster occupies; the sum
 * of RSS counts shared buffers once per backend that touched them. Pss_Anon is the private part
 * (sorts, hashes, caches); Pss_Shmem mostly shared buffers.
 */
export function startMemorySampler(pids: () => number[], intervalMs = 250) {
  const peaks = new Map<string, Memory & { samples: number }>();
  let phase: string | undefined;
  let current = pids();
  let ticks = 0;
  const timer = setInterval(() => {
    if (phase === undefined) return;
    if (++ticks % 8 === 0) current = pids();
    const m = memoryOf(current);
    const peak = peaks.get(phase) ?? { pss: 0, pssAnon: 0, pssShmem: 0, rss: 0, samples: 0 };
    peaks.set(phase, {
      pss: Math.max(peak.pss, m.pss), pssAnon: Math.max(peak.pssAnon, m.pssAnon),
      pssShmem: Math.max(peak.pssShmem, m.pssShmem), rss: Math.max(peak.rss, m.rss), samples: peak.samples + 1,
    });
  }, intervalMs);
  timer.unref();
  return {
    /** Samples from now on count toward `name` (undefined: pause). */
    phase(name: string | undefined) {
      phase = name;
      current = pids();
    },
    peak: (name: string) => peaks.get(name),
    stop: () => clearInterval(timer),
  };
}
