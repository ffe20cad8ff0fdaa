// CPU seconds used so far by processes (Linux /proc; null elsewhere). The benchmarks use it to
// state what a case cost the database itself: on this 2-core machine the load generator, Deno and
// Postgres share the CPU, which a deployment does not.
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = 100; // USER_HZ on Linux

type Stat = {
  pid: number; comm: string; ppid: number; cpuSeconds: number;
  /** CPU of its children that ended and were waited for (cutime + cstime). */
  endedChildrenCpuSeconds: number;
};

function statOf(pid: number): Stat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      pid, comm, ppid: Number(fields[1]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS, // utime, stime
      endedChildrenCpuSeconds: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS,
    };
  } catch {
    return null; // the process ended while we looked
  }
}

/** Every process's stat, or null without /proc. */
export function processStats(): Stat[] | null {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  return pids.map((p) => statOf(Number(p))).filter((s): s is Stat => s !== null);
}

/** CPU seconds used so far by one process (a database session's backend: pg_backend_pid()). */
export function backendCpuSeconds(pid: number): number {
  const stat = statOf(pid);
  if (stat === null) throw new Error(`no process ${pid} in /proc`);
  return stat.cpuSeconds;
}

/** The parent of a process (a Postgres backend's: its server's postmaster), or null. */
export function parentPid(pid: number): number | null {
  return statOf(pid)?.ppid ?? null;
}
