// CPU seconds used so far by processes (Linux /proc; null elsewhere). The benchmarks use it to
// state what a case cost the database itself: on this 2-core machine the load generator, Deno and
// Postgres share the CPU, which a deployment does not.
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** The fields of /proc/<pid>/stat after the command name (field 3 onwards), or null. */
function statOf(pid: string): { comm: string; fields: string[] } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return { comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), fields: stat.slice(stat.lastIndexOf(")") + 2).split(" ") };
  } catch {
    return null; // the process ended while we looked
  }
}

function pids(): string[] | null {
  try {
    return readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
}

const ownTicks = (fields: string[]) => Number(fields[11]) + Number(fields[12]); // utime, stime

/** The parent of a process (a Postgres backend's: its server's postmaster), or null. */
export function parentPid(pid: number): number | null {
  const s = statOf(String(pid));
  return s ? Number(s.fields[1]) : null;
}

/**
 * One process and its children: a Postgres server's postmaster and its backends and background
 * processes, children that ended included (their time is in the parent's cutime/cstime once reaped).
 */
export function processTreeCpuSeconds(rootPid: number): number | null {
  const all = pids();
  const root = statOf(String(rootPid));
  if (!all || !root) return null;
  let ticks = ownTicks(root.fields) + Number(root.fields[13]) + Number(root.fields[14]);
  for (const pid of all) {
    const s = statOf(pid);
    if (s && Number(s.fields[1]) === rootPid) ticks += ownTicks(s.fields);
  }
  return ticks / CLOCK_TICKS;
}
